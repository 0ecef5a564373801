/* The built-in vocabulary, from the domain digest (shared/domain.md).
 * English keys are what code and exports use; Japanese labels and aliases are
 * accepted wherever a key is. */
#include "vocab.h"

#include <string.h>

const char *const store_vocab_kinds[] = {
    "sector", "target", "need", "mode", "approach", "in_system", "level", "tie_kind", "forum_kind", NULL,
};

int store_vocab_kind_closed(const char *kind)
{
    /* The engine branches on these keys (district depth, tie direction,
     * entry points), so a new key would have no meaning. */
    return !strcmp(kind, "approach") || !strcmp(kind, "in_system") || !strcmp(kind, "level") ||
           !strcmp(kind, "tie_kind");
}

const store_vocab_builtin_t store_vocab_builtin[] = {
    {"sector", "government", "行政", "行政機関;市区町村;自治体;国・都道府県・市区町村"},
    {"sector", "shakyo", "社会福祉協議会", "社協"},
    {"sector", "welfare_corp", "社会福祉法人", NULL},
    {"sector", "npo", "NPO法人", "NPO;認定NPO;特定非営利活動法人;NPO法人・認定NPO"},
    {"sector", "intermediary", "中間支援団体", "中間支援"},
    {"sector", "company", "民間企業", "企業"},
    {"sector", "coop", "協同組合", "生協"},
    {"sector", "resident", "住民組織", "地域住民;自治会;住民組織・地域住民"},
    {"sector", "medical", "保健医療", "医療"},
    {"sector", "education", "学校・教育機関", "学校;教育機関"},
    {"sector", "culture_sports", "文化・芸術・スポーツ団体", "文化・スポーツ"},
    {"sector", "rehabilitation", "更生保護法人", "更生保護"},

    {"target", "hikikomori", "ひきこもり", "引きこもり"},
    {"target", "young_carer", "ヤングケアラー", NULL},
    {"target", "single_elderly", "単身高齢者", NULL},
    {"target", "household_8050", "8050世帯", NULL},
    {"target", "women_in_difficulty", "困難を抱える女性", NULL},
    {"target", "dv_victim", "DV被害者", NULL},
    {"target", "child_abuse", "児童虐待", NULL},
    {"target", "children", "こども", "子ども;子供"},
    {"target", "school_refusal", "不登校", NULL},
    {"target", "suicide_risk", "自殺念慮", NULL},
    {"target", "poverty", "生活困窮者", "生活困窮"},
    {"target", "foreign_resident", "在留外国人", "外国人"},
    {"target", "overseas_japanese", "在外邦人", NULL},
    {"target", "ex_offender", "刑務所出所者等", "出所者"},
    {"target", "ice_age_generation", "就職氷河期世代", NULL},
    {"target", "lgbtq", "性的マイノリティ", NULL},
    {"target", "disability", "障害", "障害者"},
    {"target", "developmental_grey", "発達障害グレーゾーン", NULL},
    {"target", "bereaved", "死別", NULL},
    {"target", "unemployed", "失業者", NULL},
    {"target", "disaster_affected", "被災者", NULL},
    {"target", "crime_victim", "犯罪被害者", NULL},
    {"target", "family_caregiver", "家族介護者", NULL},
    {"target", "everyone", "全ての人", "すべての人;全員"},

    {"need", "consultation", "相談", NULL},
    {"need", "place", "居場所", NULL},
    {"need", "outreach", "アウトリーチ", NULL},
    {"need", "watch", "見守り", NULL},
    {"need", "employment", "就労支援", "就労"},
    {"need", "housing", "居住支援", "住まい"},
    {"need", "food", "食料支援", "食料"},
    {"need", "health", "保健医療・メンタルヘルス", "メンタルヘルス;保健医療"},
    {"need", "family", "家族支援", NULL},
    {"need", "learning", "学習支援", NULL},
    {"need", "social_prescribing", "社会的処方", NULL},
    {"need", "peer", "当事者会・ピア", "ピア;当事者会"},
    {"need", "legal", "法律相談", NULL},
    {"need", "money", "金銭管理・家計", "家計;金銭管理"},
    {"need", "care", "介護", NULL},

    {"mode", "counter", "窓口・面談", "窓口;面談"},
    {"mode", "phone", "電話", NULL},
    {"mode", "chat", "SNS・チャット", "SNS;チャット"},
    {"mode", "home_visit", "訪問", NULL},
    {"mode", "gathering", "集まり", NULL},
    {"mode", "online", "オンライン", NULL},

    {"approach", "everyday", "日常生活環境における対応", "日常"},
    {"approach", "continuous", "つながり続けること", "伴走型支援;伴走"},
    {"approach", "problem_solving", "課題解決型の支援", "課題解決"},

    {"in_system", "yes", "制度内", NULL},
    {"in_system", "no", "制度外", NULL},
    {"in_system", "boundary", "境界", NULL},

    {"level", "prefecture", "都道府県", "県"},
    {"level", "municipality", "市区町村", "市町村"},
    {"level", "ward", "区", NULL},
    {"level", "school_district", "小学校区", "校区"},
    {"level", "neighbourhood", "自治会", "町内会;neighborhood"},

    {"tie_kind", "referral", "つなぎ", "紹介"},
    {"tie_kind", "co_support", "協働", NULL},
    {"tie_kind", "info_sharing", "情報共有", NULL},
    {"tie_kind", "agreement", "協定", NULL},
    {"tie_kind", "membership", "参加", "構成員"},

    {"forum_kind", "platform", "官民連携プラットフォーム", "プラットフォーム"},
    {"forum_kind", "subcommittee", "部会・分科会", "部会;分科会"},
    {"forum_kind", "regional_council", "孤独・孤立対策地域協議会", "地域協議会"},
    {"forum_kind", "support_meeting", "支援会議", "重層的支援会議"},
    {"forum_kind", "self_reliance_council", "自立支援協議会", NULL},
    {"forum_kind", "child_protection_council", "要保護児童対策地域協議会", "要対協"},
    {"forum_kind", "youth_council", "子ども・若者支援地域協議会", NULL},
    {"forum_kind", "community_care_meeting", "地域ケア会議", NULL},
    {"forum_kind", "housing_council", "居住支援協議会", NULL},
    {"forum_kind", "hikikomori_platform", "ひきこもり支援プラットフォーム", NULL},
    {"forum_kind", "suicide_platform", "自殺対策プラットフォーム", NULL},
    {NULL, NULL, NULL, NULL},
};

/* From the seeds' account of what each group's support requires: somewhere
 * to ask (consultation) for everyone, then the needs the documents name for
 * the group. A planner passes NEEDS to ask about others. */
const store_default_needs_t store_default_needs[] = {
    {"hikikomori", "consultation;place;outreach;employment;family;peer"},
    {"young_carer", "consultation;place;family;learning;care"},
    {"single_elderly", "consultation;watch;place;care;food"},
    {"household_8050", "consultation;outreach;family;money;care"},
    {"women_in_difficulty", "consultation;housing;place;legal"},
    {"dv_victim", "consultation;housing;legal"},
    {"child_abuse", "consultation;family;watch"},
    {"children", "place;food;learning;watch"},
    {"school_refusal", "consultation;place;learning;family"},
    {"suicide_risk", "consultation;health;outreach"},
    {"poverty", "consultation;food;housing;money;employment"},
    {"foreign_resident", "consultation;learning;place"},
    {"overseas_japanese", "consultation"},
    {"ex_offender", "consultation;housing;employment"},
    {"ice_age_generation", "consultation;employment"},
    {"lgbtq", "consultation;place;peer"},
    {"disability", "consultation;place;employment;care"},
    {"developmental_grey", "consultation;learning;family"},
    {"bereaved", "consultation;peer"},
    {"unemployed", "consultation;employment"},
    {"disaster_affected", "consultation;housing;watch"},
    {"crime_victim", "consultation;legal"},
    {"family_caregiver", "consultation;peer;care"},
    {"everyone", "consultation;place"},
    {NULL, NULL},
};
