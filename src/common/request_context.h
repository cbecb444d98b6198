// RequestContext: who is asking, as the audit log records it, carried on the thread that
// handles a request (G2.7.3-a: the subject's identification record and the request id).
// The API sets it once per request; the write path copies it into each command's audit event;
// BoundedPool carries it to its worker threads.
//
//   ScopedRequest scope({"7f3a9c...", "session:1f2e3d4c5b6a7980"});
//   ... writes.execute(...) ...   // the audit event carries both
#pragma once

#include <string>
#include <utility>

namespace minato {

// A client's Idempotency-Key for one state-changing request: the write path runs the request's
// command once per (subject, key) and answers a retry with the first response.
struct Idempotency {
  std::string key;     // as the client sent it
  std::string digest;  // SHA-256 of the request (method, path, body): a key names one request
  int status = 200;    // the HTTP status of the first response, stored with it
  // Out, set by the write path: the command had already run; nothing was done this time, and
  // `response` is the body stored by the first run.
  bool replayed = false;
  std::string response;
};

struct RequestContext {
  std::string request_id;  // random, also returned to the client as X-Request-Id
  std::string credential;  // "session:<public id>", "token:<id>", "host:uid=0"
  // Set around the one command of a request that carried an Idempotency-Key; the write path
  // takes it (and clears it) when the command is submitted. REQUIRES: outlives the command.
  Idempotency* idempotency = nullptr;
};

inline RequestContext& current_request() {
  thread_local RequestContext context;
  return context;
}

class ScopedRequest {
 public:
  explicit ScopedRequest(RequestContext context) : saved_(std::move(current_request())) {
    current_request() = std::move(context);
  }
  ~ScopedRequest() { current_request() = std::move(saved_); }
  ScopedRequest(const ScopedRequest&) = delete;
  ScopedRequest& operator=(const ScopedRequest&) = delete;

 private:
  RequestContext saved_;
};

}  // namespace minato
