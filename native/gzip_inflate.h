/* A gzip stream inflated by ISA-L's igzip, where the library is found at run time (gzip_inflate.c). */
#include <stddef.h>
#include <stdint.h>

/*
 * What a step left: more input or output room wanted, the stream's end, a stream cut short, or a library that
 * kept bytes past a member's end (see gzip_inflate.c: not ISA-L 2.30's way).
 */
enum { GZIP_MORE = 0, GZIP_END = 1, GZIP_TRUNCATED = 2, GZIP_UNSUPPORTED = 3 };
/* Below 0: ISA-L's own error codes (ISAL_INVALID_BLOCK … ISAL_INCORRECT_CHECKSUM), the data is corrupt. */

typedef struct GzipInflater GzipInflater;

/* Whether libisal.so.2 loads here (once, then remembered). */
int gzipInflaterAvailable(void);

/* A new inflater at the start of a stream, or NULL (no library, or no memory). */
GzipInflater *gzipInflaterNew(void);
void gzipInflaterFree(GzipInflater *z);

/*
 * Inflates from in[0 … inLength) into out[0 … outLength), `last` when the input is the rest of the file:
 * *used input bytes are consumed and *made output bytes written. Returns GZIP_MORE when the input is used up
 * (not last) or the output is full, GZIP_END at the stream's end, GZIP_TRUNCATED where the last input ends
 * inside it, GZIP_UNSUPPORTED, or a negative ISA-L error.
 */
int gzipInflate(GzipInflater *z, const uint8_t *in, size_t inLength, int last, uint8_t *out, size_t outLength, size_t *used, size_t *made);
