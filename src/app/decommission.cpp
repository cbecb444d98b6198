#include "app/decommission.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include "app/key_service.h"
#include "app/migration.h"
#include "app/runtime.h"
#include "audit/event.h"
#include "audit/log.h"
#include "common/clock.h"
#include "common/dir_lock.h"
#include "common/files.h"
#include "crypto/keys.h"
#include "crypto/random.h"

namespace minato::app {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// What erasing found and did.
struct Tally {
  int64_t files = 0, directories = 0, links = 0;
  uint64_t bytes = 0;
  std::vector<std::string> errors;
  void error(const std::string& path, const char* what, int e) {
    errors.push_back(std::string(what) + " " + path + ": " + std::strerror(e));
  }
};

// Overwrites a regular file once with random bytes, flushes it, renames it to a random name
// (its name leaves the directory too) and unlinks it.
void erase_file(const std::string& dir, const std::string& name, Tally& t) {
  const std::string path = dir + "/" + name;
  if (auto st = overwrite_with_random(path, &t.bytes); !st) {
    t.errors.push_back(st.error().message());
  } else {
    ++t.files;
  }
  const std::string hidden = dir + "/.erased-" + crypto::to_hex(crypto::random_bytes(8));
  const std::string& gone = ::rename(path.c_str(), hidden.c_str()) == 0 ? hidden : path;
  if (::unlink(gone.c_str()) != 0) t.error(path, "cannot unlink", errno);
}

// Erases everything under `dir` (not following links), then `dir` itself. `first` names
// entries of `dir` to erase before the others, in that order.
void erase_tree(const std::string& dir, const std::vector<std::string>& first, Tally& t) {
  std::vector<std::string> names = first;
  std::vector<std::string> rest;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      if (std::find(first.begin(), first.end(), n) == first.end()) rest.push_back(n);
    }
    ::closedir(d);
  } else {
    t.error(dir, "cannot list", errno);
  }
  std::sort(rest.begin(), rest.end());
  names.insert(names.end(), rest.begin(), rest.end());
  for (const auto& n : names) {
    const std::string path = dir + "/" + n;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno != ENOENT) t.error(path, "cannot stat", errno);
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      ::chmod(path.c_str(), 0700);
      erase_tree(path, {}, t);
    } else if (S_ISREG(st.st_mode)) {
      erase_file(dir, n, t);
    } else {
      if (::unlink(path.c_str()) == 0) {
        ++t.links;
      } else {
        t.error(path, "cannot unlink", errno);
      }
    }
  }
  if (::rmdir(dir.c_str()) == 0) {
    ++t.directories;
  } else {
    t.error(dir, "cannot remove", errno);
  }
}

std::string machine_id() {
  auto id = read_file("/etc/machine-id", 256);
  if (!id) return "";
  std::string s = *id;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The place of the certificate: outside the directory, new, and writable (checked by making
// and removing a file there) — all before anything is destroyed.
Status check_certificate_place(const std::string& data_dir, const std::string& path) {
  if (path.empty()) return fail(ErrorCode::kInvalidArgument, "--certificate is required");
  std::error_code ec;
  const fs::path file = fs::absolute(path, ec);
  const fs::path parent = fs::weakly_canonical(file.parent_path(), ec);
  const fs::path data = fs::weakly_canonical(fs::absolute(data_dir), ec);
  const std::string p = parent.string() + "/", d = data.string() + "/";
  if (p.compare(0, d.size(), d) == 0) {
    return fail(ErrorCode::kInvalidArgument,
                "the certificate must be written outside the data directory it certifies the "
                "erasure of: " +
                    path,
                "certificate");
  }
  if (fs::exists(file, ec)) {
    return fail(ErrorCode::kAlreadyExists, path + " exists: a certificate is never overwritten",
                "certificate");
  }
  const std::string probe = parent.string() + "/.minato-certificate-probe-" +
                            std::to_string(static_cast<long>(::getpid()));
  MINATO_TRY(write_file_atomic(probe, "probe\n", 0600));
  ::unlink(probe.c_str());
  return ok();
}

Status check_export(Runtime& rt, const std::string& dir, const std::string& fingerprint,
                    json::object& record) {
  auto x = read_export(dir, fingerprint);
  if (!x) {
    return fail(x.error().code(),
                "the export " + dir + " is not this installation's: " + x.error().message());
  }
  // The export's event must be the last: nothing recorded after it is lost with the directory.
  auto rx = rt.store().read();
  if (!rx) return fail(rx.error());
  auto head = (*rx)->audit_head();
  if (!head) return fail(head.error());
  store::AuditRecord last;
  MINATO_TRY((*rx)->scan_audit(*head, [&](const store::AuditRecord& r) {
    last = r;
    return false;
  }));
  if (last.action != "data.export" || last.target != "export:" + x->id) {
    return fail(ErrorCode::kFailedPrecondition,
                "events were recorded after export " + x->id + " (the newest is " +
                    std::to_string(last.seq) + ", " + last.action +
                    "): they would be lost — export again, then decommission");
  }
  record = json::object{{"id", x->id},
                        {"dir", fs::absolute(dir).string()},
                        {"audit_size", x->audit.size},
                        {"audit_root", x->audit.root},
                        {"event", last.seq}};
  return ok();
}

}  // namespace

Result<DecommissionReport> decommission(const DecommissionOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  DecommissionReport report;
  if (o.reason.empty()) return fail(ErrorCode::kInvalidArgument, "--reason is required", "reason");
  if (o.export_dir.empty() == !o.without_export) {
    return fail(ErrorCode::kInvalidArgument,
                "give the export that carries the data on (--export DIR, made by `minato "
                "export`), or --without-export when nothing is to be kept",
                "export");
  }
  MINATO_TRY(check_certificate_place(o.data_dir, o.certificate));
  auto lock = DirLock::acquire(o.data_dir, "decommission it");
  if (!lock) return fail(lock.error());
  auto rt = Runtime::open(o.data_dir);
  if (!rt) return fail(rt.error());
  const std::string terminal = (*rt)->config().terminal_name;
  if (o.confirm != terminal) {
    return fail(ErrorCode::kInvalidArgument,
                o.data_dir + " is the installation of terminal \"" + terminal +
                    "\": give --confirm with that name, exactly, to erase it",
                "confirm");
  }
  auto loaded = crypto::SigningKey::load((*rt)->paths().signing_key());
  if (!loaded) return fail(loaded.error());
  std::optional<crypto::SigningKey> signer(std::move(*loaded));
  const std::string fingerprint = crypto::to_hex(crypto::sha256(signer->public_key()));
  json::object exported;
  if (!o.export_dir.empty()) MINATO_TRY(check_export(**rt, o.export_dir, fingerprint, exported));

  // The log as it stands, verified; then its last word.
  auto vo = (*rt)->verify_options();
  if (!vo) return fail(vo.error());
  auto verified = audit::verify((*rt)->store(), *vo);
  json::object audit_record;
  if (verified) {
    audit_record["verified"] = verified->intact();
    if (!verified->intact()) audit_record["problem"] = verified->problem;
  } else {
    audit_record["verified"] = false;
    audit_record["problem"] = verified.error().message();
  }
  auto keys = (*rt)->keys().list(access::Actor::local_operator());
  if (!keys) return fail(keys.error());
  json::array key_list;
  for (const auto& k : *keys) {
    // The RP ID names the console, it is no secret: nothing of it is destroyed.
    if (!k.present || k.info.name == "webauthn-rp") continue;
    key_list.push_back(json::object{{"name", std::string(k.info.name)},
                                    {"fingerprint", k.record.fingerprint},
                                    {"location", k.location}});
  }
  report.keys = static_cast<int>(key_list.size());
  auto st = (*rt)->writes().execute_status(
      access::Actor::local_operator(),
      {"system.decommission", "installation:" + fingerprint.substr(0, 16),
       access::Permission::kNone},
      [&](store::WriteTxn&, Effects& fx) -> Status {
        fx.change = json::serialize(json::object{
            {"reason", o.reason},
            {"certificate", fs::absolute(o.certificate).string()},
            {"export", exported.empty() ? json::value(nullptr) : json::value(exported)},
            {"keys", key_list.size()}});
        fx.checkpoint = true;
        return ok();
      });
  if (!st) return fail(st.error());
  {
    auto rx = (*rt)->store().read();
    if (!rx) return fail(rx.error());
    auto cps = (*rx)->checkpoints();
    if (!cps) return fail(cps.error());
    if (cps->empty()) return fail(ErrorCode::kInternal, "no checkpoint after system.decommission");
    const auto& c = cps->back();
    audit_record["origin"] = (*rt)->config().audit_origin;
    audit_record["size"] = c.size;
    audit_record["root"] = crypto::to_hex(c.root);
    audit_record["at_us"] = c.at_us;
    audit_record["key_id"] = c.key_id;
    audit_record["signature"] = crypto::to_hex(c.signature);
    audit_record["audit_public_key"] = crypto::to_hex((*rt)->audit_key().public_key());
  }
  const std::string data_dir = fs::absolute((*rt)->paths().dir).lexically_normal().string();
  const int64_t started_us = (*rt)->clock().now_us();
  rt->reset();  // the database is closed before it is erased

  // Erase: keys, then TLS, then the database, then the rest.
  Tally t;
  std::string dir = data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  erase_tree(dir, {"keys", "tls", "minato.db", "minato.db-wal", "minato.db-shm", "minato.toml"}, t);
  struct stat gone {};
  const bool removed = ::lstat(dir.c_str(), &gone) != 0 && errno == ENOENT;
  if (!removed && t.errors.empty()) t.errors.push_back(dir + " still exists");
  report.files = t.files;
  report.bytes = t.bytes;
  report.directories = t.directories;
  report.links = t.links;
  report.complete = removed && t.errors.empty();
  if (!t.errors.empty()) report.first_error = t.errors.front();

  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  json::array errors;
  for (const auto& e : t.errors) errors.push_back(json::value(e));
  const int64_t finished_us = SystemClock::instance().now_us();
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  json::object body{
      {"format", kCertificateFormat},
      {"outcome", report.complete ? "complete" : "incomplete"},
      {"terminal", terminal},
      {"host", host},
      {"machine_id", machine_id()},
      {"data_dir", data_dir},
      {"operator", access::Actor::local_operator().subject},
      {"reason", o.reason},
      {"started_utc", format_utc(started_us)},
      {"finished_utc", format_utc(finished_us)},
      {"export", exported.empty() ? json::value("none (--without-export)") : json::value(exported)},
      {"audit", audit_record},
      {"keys_destroyed", key_list},
      {"erased", json::object{{"files", t.files},
                              {"bytes", t.bytes},
                              {"directories", t.directories},
                              {"links", t.links},
                              {"seconds", report.seconds}}},
      {"method",
       "keys first (keys/, tls/: every secret sealed under them is unreadable from then on), "
       "then the database and its journal, then every other file: each overwritten once with "
       "random bytes, flushed, renamed to a random name and unlinked; directories removed; "
       "links removed, never followed"},
      {"not_covered",
       "copies outside the data directory (vault backup sets, shipped audit copies, checkpoint "
       "copies, exports); the physical medium: on flash or copy-on-write storage an overwrite "
       "need not reach every block, so the medium is sanitized or destroyed by the operator's "
       "procedure (G2.6.1-c)"},
      {"errors", errors},
      {"signer_fingerprint", fingerprint}};
  const std::string signed_text = sign_certificate(body, *signer);
  signer.reset();  // the last copy of the key: its memory is wiped with it
  MINATO_TRY(write_file_atomic(o.certificate, signed_text, 0644));
  report.certificate = o.certificate;
  report.fingerprint = fingerprint;
  if (!report.complete) {
    return fail(ErrorCode::kDataLoss, "erasing " + dir + " was incomplete (" +
                                          std::to_string(t.errors.size()) +
                                          " errors, the first: " + report.first_error +
                                          "); the certificate " + o.certificate + " records them");
  }
  return report;
}

}  // namespace minato::app
