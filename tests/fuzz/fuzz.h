/*
 * fuzz.h - what every fuzz harness shares: the libFuzzer entry point
 * (also called by onefile.c's main() in the replay builds) and CHECK(),
 * which aborts on a broken promise so that both libFuzzer and the replay
 * in `make check` report it.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: check failed: %s\n",          \
				__FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

#endif /* TESTS_FUZZ_H */
