// Packs one file into a backup set and unpacks it again, timed: the like-for-like half of the
// backup benchmark (bench/load/backup_vs_restic.py), which runs restic on the same file.
//
//   build/release/bench/backup_pack --file snapshot.db --dir SCRATCH [--level 3]
//
// Prints one JSON object: plain and stored bytes, pack and unpack seconds. Unpacking checks
// every chunk against the signed manifest and the file's SHA-256, and fsyncs what it writes.
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "crypto/random.h"
#include "resilience/backup_set.h"

using namespace minato;

int main(int argc, char** argv) {
  std::string file, dir;
  int level = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--file") == 0) file = argv[i + 1];
    if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
    if (std::strcmp(argv[i], "--level") == 0) level = std::atoi(argv[i + 1]);
  }
  if (file.empty() || dir.empty() || level < 1 || level > 19) {
    std::fprintf(stderr, "usage: backup_pack --file F --dir SCRATCH [--level 1-19]\n");
    return 64;
  }
  if (!crypto::init()) return 1;
  auto signer = crypto::SigningKey::generate();
  resilience::Recipient r;
  if (!resilience::make_recovery_file("data", "tq8 Harbour wL3 reefer 9xk gantry pz",
                                      signer.public_key(), {1, 1u << 20}, &r)) {
    return 1;
  }
  ::mkdir(dir.c_str(), 0700);
  ::mkdir((dir + "/sets").c_str(), 0700);
  ::mkdir((dir + "/out").c_str(), 0700);
  resilience::WriteOptions o;
  o.target = "database";
  o.created_us = 1'764'000'000'000'000;
  o.zstd_level = level;
  auto t0 = std::chrono::steady_clock::now();
  auto m = resilience::write_set(dir + "/sets", {{"minato.db", file, 0600}}, r, signer, o);
  auto t1 = std::chrono::steady_clock::now();
  if (!m) {
    std::fprintf(stderr, "pack: %s\n", m.error().message().c_str());
    return 1;
  }
  const std::string set = dir + "/sets/" + m->set_id;
  auto verified = resilience::read_verified_manifest(set, signer.public_key());
  if (!verified) return 1;
  auto st = resilience::extract_set(set, *verified, r, dir + "/out");
  auto t2 = std::chrono::steady_clock::now();
  if (!st) {
    std::fprintf(stderr, "unpack: %s\n", st.error().message().c_str());
    return 1;
  }
  std::printf(
      "{\"plain_bytes\":%llu,\"stored_bytes\":%llu,\"chunks\":%zu,\"level\":%d,"
      "\"pack_s\":%.3f,\"unpack_s\":%.3f}\n",
      static_cast<unsigned long long>(m->plain_bytes()),
      static_cast<unsigned long long>(m->stored_bytes()), m->chunks.size(), level,
      std::chrono::duration<double>(t1 - t0).count(),
      std::chrono::duration<double>(t2 - t1).count());
  return 0;
}
