/*
 * fuzz — the libFuzzer targets (docs/reliability.md). Each target file
 * defines LLVMFuzzerTestOneInput; built with clang's -fsanitize=fuzzer it is
 * a fuzzer (scripts/fuzz), built with replay.c it runs the inputs under
 * tests/fuzz-corpus/TARGET as a regression test in every ctest run.
 *
 * Several targets read a folder of files. Their input is one text holding
 * every file: a line "=== NAME" starts the file NAME (letters, digits, '_',
 * '-', '.'; no '/'), and what precedes the first such line is dropped. The
 * fuzzer mutates the files' content and, now and then, their names.
 *
 * A target aborts (which libFuzzer reports as a crash) when the library
 * breaks a promise of tsunagi.h: a failure without a message, a failed
 * import that changed the database, an output GraphViz cannot read.
 */
#ifndef TSG_FUZZ_H
#define TSG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A folder of this process's own under /tmp, made on the first call and
 * removed at exit. */
const char *fuzz_workdir(void);

/* Empties dir (regular files only) and writes the files held in data.
 * Returns how many were written. */
int fuzz_write_files(const uint8_t *data, size_t size, const char *dir);

/* Copies a file (the pristine database over a used one). */
void fuzz_copy(const char *from, const char *to);

/* Aborts with a message when cond is false: the finding libFuzzer keeps. */
#define FUZZ_CHECK(cond, ...) ((cond) ? (void)0 : fuzz_broken(__FILE__, __LINE__, __VA_ARGS__))
void fuzz_broken(const char *file, int line, const char *fmt, ...) __attribute__((noreturn, format(printf, 3, 4)));

#endif
