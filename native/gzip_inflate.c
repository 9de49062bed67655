/*
 * A gzip stream inflated by ISA-L's igzip (Intel's Intelligent Storage Acceleration Library), for
 * src/data/inflate.ts: its worker inflates a CSV.gz with this where the library is found, else with Node's
 * zlib. The text is the same (both are DEFLATE decoders, checked against the gzip trailer's CRC-32); igzip
 * decodes with wider tables and vector copies: a 224 MB CSV.gz of 14,880 × 1,700 features inflates in
 * 0.75 s here against 1.2 s with Node's zlib, and inflating is what bounds the load of such a file.
 *
 * The library is opened at run time (dlopen of libisal.so.2, Debian's and Fedora's package `isal`/`libisal2`),
 * so the addon builds and loads without it; the build needs only its header (libisal-dev), for the layout
 * of the decoder's state. A gzip file of several members (as `cat a.gz b.gz` makes) is inflated member after
 * member; a member followed by a zero byte ends the stream there (padding, the rest ignored), as Node's zlib
 * does.
 */
#include "gzip_inflate.h"

#include <stdlib.h>

#ifdef ADS_ISAL
#include <dlfcn.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>

struct GzipInflater {
  struct inflate_state state;
  /* A member ended: the next byte says whether another follows. */
  int between;
  int ended;
};

static int (*inflateStep)(struct inflate_state *);
static void (*inflateInit)(struct inflate_state *);
static void (*inflateReset)(struct inflate_state *);
static pthread_once_t opened = PTHREAD_ONCE_INIT;

static void openLibrary(void) {
  void *library = dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!library) return;
  inflateStep = (int (*)(struct inflate_state *))dlsym(library, "isal_inflate");
  inflateInit = (void (*)(struct inflate_state *))dlsym(library, "isal_inflate_init");
  inflateReset = (void (*)(struct inflate_state *))dlsym(library, "isal_inflate_reset");
}

int gzipInflaterAvailable(void) {
  pthread_once(&opened, openLibrary);
  return inflateStep && inflateInit && inflateReset;
}

GzipInflater *gzipInflaterNew(void) {
  if (!gzipInflaterAvailable()) return NULL;
  GzipInflater *z = calloc(1, sizeof *z);
  if (!z) return NULL;
  inflateInit(&z->state);
  z->state.crc_flag = ISAL_GZIP;
  return z;
}

void gzipInflaterFree(GzipInflater *z) { free(z); }

/* One call of the decoder over in[0 … inLength) into out[0 … room); what it consumed and wrote. */
static int decode(GzipInflater *z, const uint8_t *in, size_t inLength, uint8_t *out, size_t room, size_t *used, size_t *made) {
  struct inflate_state *s = &z->state;
  /* The decoder counts in 32 bits: a longer input or output is taken in several calls by the caller's loop. */
  const uint32_t give = inLength > UINT32_MAX ? UINT32_MAX : (uint32_t)inLength;
  const uint32_t space = room > UINT32_MAX ? UINT32_MAX : (uint32_t)room;
  s->next_in = (uint8_t *)in, s->avail_in = give, s->next_out = out, s->avail_out = space;
  const int status = inflateStep(s);
  *used = give - s->avail_in, *made = space - s->avail_out;
  return status;
}

int gzipInflate(GzipInflater *z, const uint8_t *in, size_t inLength, int last, uint8_t *out, size_t outLength, size_t *used, size_t *made) {
  size_t u = 0, m = 0, du, dm;
  for (;;) {
    if (z->ended) {
      u = inLength;
      *used = u, *made = m;
      return GZIP_END;
    }
    if (z->between) {
      const int next = u < inLength ? in[u] : -1;
      if (next < 0 && !last) break;
      /* The file's end, or a zero byte: the stream ends here. */
      if (next <= 0) {
        z->ended = 1;
        continue;
      }
      inflateReset(&z->state);
      z->state.crc_flag = ISAL_GZIP;
      z->between = 0;
    }
    const int status = decode(z, in + u, inLength - u, out + m, outLength - m, &du, &dm);
    u += du, m += dm;
    if (status < 0) return *used = u, *made = m, status;
    if (z->state.block_state == ISAL_BLOCK_FINISH) {
      /*
       * ISA-L reads a member's trailer byte by byte and stops right after it, its bit buffer empty, whatever
       * the input's pieces (checked with pieces of 1 to 60 bytes): what follows starts at in[u]. A
       * library that kept bytes there would lose them; it is refused rather than read wrong.
       */
      if (z->state.read_in_length >= 8) return *used = u, *made = m, GZIP_UNSUPPORTED;
      z->between = 1;
      continue;
    }
    if (m == outLength) break;
    if (u == inLength) {
      if (last) return *used = u, *made = m, GZIP_TRUNCATED;
      break;
    }
  }
  *used = u, *made = m;
  return GZIP_MORE;
}

#else

/* Built without ISA-L's header: no inflater, and Node's zlib inflates. */
int gzipInflaterAvailable(void) { return 0; }
GzipInflater *gzipInflaterNew(void) { return NULL; }
void gzipInflaterFree(GzipInflater *z) { (void)z; }
int gzipInflate(GzipInflater *z, const uint8_t *in, size_t inLength, int last, uint8_t *out, size_t outLength, size_t *used, size_t *made) {
  (void)z, (void)in, (void)inLength, (void)last, (void)out, (void)outLength;
  *used = *made = 0;
  return GZIP_TRUNCATED;
}

#endif
