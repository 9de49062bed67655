/* CSV feature fields parsed into float64 (float_fields.c). */
#include <stdint.h>

/* readFloatFields' result where a value needs JavaScript's own parser: the caller reads the part there. */
#define FLOAT_FIELDS_HARD (-2)

/* Fills the powers of ten; once, before the first readFloatFields. */
void floatFieldsInit(void);

/*
 * float_fields.ts's readFloatFields(text, from, to, width, slot, k, out, rest), with each array's length
 * (elements): the bytes written to rest, −1 where a parsed field is not a plain decimal, FLOAT_FIELDS_HARD.
 * Needs from ≤ to ≤ length.
 */
int64_t readFloatFields(const uint8_t *text, int64_t length, int64_t from, int64_t to, int64_t width, const int32_t *slot,
                        int64_t slots, int64_t k, double *out, int64_t outLength, uint8_t *rest, int64_t restLength);
