//===- WebPage.h - GET /: a page to generate from a browser ------*- C++-*-===//
//
// One self-contained HTML page (no external scripts, styles or fonts) that
// speaks the server's own A1111 API: prompt, negative prompt, size, steps,
// sampler, seed, CFG scale, an optional img2img upload; the live preview
// from /sdapi/v1/progress while it runs; the image with its parameters.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_SERVER_WEBPAGE_H
#define AVILA_SERVER_WEBPAGE_H

namespace avila::server {

const char *webPage();

} // namespace avila::server

#endif // AVILA_SERVER_WEBPAGE_H
