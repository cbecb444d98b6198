// Request bodies are attacker-controlled: JsonBody must refuse or accept, never crash.
#include <cstdint>
#include <string>

#include "api/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  auto body = minato::api::JsonBody::parse(s);
  if (body) {
    (void)body->string("container_id", 32);
    (void)body->optional_string("slot", 16);
    (void)body->integer("gross_kg", 0, 80000);
    (void)body->finish();
  } else {
    (void)minato::api::error_response(body.error());
  }
  return 0;
}
