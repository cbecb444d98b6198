#include "app/migration.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>

#include "app/backup_service.h"
#include "app/runtime.h"
#include "common/dir_lock.h"
#include "common/files.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "identity/password_policy.h"

namespace minato::app {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "minato-export/1";

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Result<ExportIndex> parse_index(std::string_view text, const std::string& origin) {
  json::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return fail(ErrorCode::kDataLoss, origin + " is not a JSON object");
  const auto& o = v.as_object();
  auto str = [&](const char* k) -> Result<std::string> {
    const auto* f = o.if_contains(k);
    if (!f || !f->is_string()) {
      return fail(ErrorCode::kDataLoss, origin + ": \"" + k + "\" is missing or not a string");
    }
    return std::string(f->as_string());
  };
  if (auto f = str("format"); !f || *f != kFormat) {
    return fail(ErrorCode::kDataLoss, origin + ": not a Minato export (format " + kFormat + ")");
  }
  ExportIndex x;
  for (auto [key, into] :
       {std::pair{"id", &x.id}, std::pair{"terminal", &x.terminal}, std::pair{"host", &x.host},
        std::pair{"minato_version", &x.minato_version}}) {
    auto v = str(key);
    if (!v) return fail(v.error());
    *into = std::move(*v);
  }
  auto signer = str("signer_public");
  if (!signer) return fail(signer.error());
  auto pub = crypto::from_hex(*signer);
  if (!pub || pub->size() != 32) {
    return fail(ErrorCode::kDataLoss, origin + ": signer_public is not 32 bytes of hex");
  }
  x.signer_public = *pub;
  const auto* created = o.if_contains("created_us");
  const auto* audit = o.if_contains("audit");
  const auto* sets = o.if_contains("sets");
  if (!created || !created->is_int64() || !audit || !audit->is_object() || !sets ||
      !sets->is_array()) {
    return fail(ErrorCode::kDataLoss, origin + ": created_us, audit or sets is missing");
  }
  x.created_us = created->as_int64();
  const auto& a = audit->as_object();
  if (!a.if_contains("size") || !a.at("size").is_int64() || !a.if_contains("root") ||
      !a.at("root").is_string()) {
    return fail(ErrorCode::kDataLoss, origin + ": audit needs size and root");
  }
  x.audit.size = a.at("size").as_int64();
  x.audit.root = std::string(a.at("root").as_string());
  for (const auto& s : sets->as_array()) {
    if (!s.is_object()) return fail(ErrorCode::kDataLoss, origin + ": a set is not an object");
    const auto& so = s.as_object();
    ExportIndex::Set set;
    for (auto [key, into] : {std::pair{"id", &set.id}, std::pair{"target", &set.target},
                             std::pair{"manifest_sha256", &set.manifest_sha256}}) {
      const auto* f = so.if_contains(key);
      if (!f || !f->is_string()) {
        return fail(ErrorCode::kDataLoss, origin + ": a set lacks \"" + key + "\"");
      }
      *into = std::string(f->as_string());
    }
    if (!resilience::valid_set_id(set.id) || resilience::set_target(set.id) != set.target) {
      return fail(ErrorCode::kDataLoss, origin + ": \"" + set.id + "\" is not a set id");
    }
    x.sets.push_back(std::move(set));
  }
  return x;
}

// Regular files under <data>/<sub> (not following links), as the set's paths "<sub>/...".
void collect_files(const std::string& data_dir, const std::string& sub,
                   std::vector<resilience::SourceFile>& out) {
  std::error_code ec;
  const fs::path root = fs::path(data_dir) / sub;
  if (!fs::is_directory(fs::symlink_status(root, ec))) return;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    const std::string rel = fs::relative(it->path(), data_dir, ec).generic_string();
    if (ec || rel.empty() || rel.find("..") != std::string::npos) continue;
    struct stat st {};
    const unsigned mode = ::lstat(it->path().c_str(), &st) == 0 ? (st.st_mode & 0700) : 0600;
    out.push_back({rel, it->path().string(), mode == 0 ? 0400u : mode});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
}

}  // namespace

std::string ExportIndex::fingerprint() const {
  return crypto::to_hex(crypto::sha256(signer_public));
}

std::string to_json(const ExportIndex& x) {
  json::array sets;
  for (const auto& s : x.sets) {
    sets.push_back(
        json::object{{"id", s.id}, {"target", s.target}, {"manifest_sha256", s.manifest_sha256}});
  }
  return json::serialize(
      json::object{{"format", kFormat},
                   {"id", x.id},
                   {"terminal", x.terminal},
                   {"host", x.host},
                   {"minato_version", x.minato_version},
                   {"created_us", x.created_us},
                   {"signer_public", crypto::to_hex(x.signer_public)},
                   {"signer_fingerprint", x.fingerprint()},
                   {"audit", json::object{{"size", x.audit.size}, {"root", x.audit.root}}},
                   {"sets", std::move(sets)}});
}

Result<ExportReport> export_installation(const ExportOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  const auto policy = identity::PasswordPolicy::for_use(identity::PasswordUse::kBackupPassphrase);
  if (auto st = identity::check_password(policy, "", o.passphrase); !st) {
    return fail(ErrorCode::kInvalidArgument, "transfer passphrase: " + st.error().message(),
                "passphrase");
  }
  std::error_code ec;
  if (o.out.empty()) return fail(ErrorCode::kInvalidArgument, "export needs --out", "out");
  if (fs::exists(o.out, ec) && !fs::is_empty(o.out, ec)) {
    return fail(ErrorCode::kAlreadyExists, o.out + " exists and is not empty");
  }
  // No server beside the export: nothing may be written after its snapshot.
  auto lock = DirLock::acquire(o.data_dir, "export it");
  if (!lock) return fail(lock.error());
  auto rt = Runtime::open(o.data_dir);
  if (!rt) return fail(rt.error());
  auto signer = crypto::SigningKey::load((*rt)->paths().signing_key());
  if (!signer) return fail(signer.error());

  ExportReport report;
  const std::string work = o.out + ".partial-" + std::to_string(static_cast<long>(::getpid()));
  resilience::remove_read_only_tree(work);
  MINATO_TRY(make_dir(work, 0700, true));
  auto made = [&]() -> Status {
    if (o.progress) o.progress("recovery files");
    MINATO_TRY(make_dir(work + "/recovery", 0700, true));
    resilience::Recipient data, keys;
    for (auto [name, r] : {std::pair{"data", &data}, std::pair{"keys", &keys}}) {
      auto text =
          resilience::make_recovery_file(name, o.passphrase, signer->public_key(), o.cost, r);
      if (!text) return fail(text.error());
      MINATO_TRY(
          write_file_atomic(BackupService::recovery_path(work + "/recovery", name), *text, 0600));
    }
    auto& x = report.index;
    for (const char* target : {"database", "config", "logs"}) {
      if (o.progress) o.progress(std::string("set ") + target);
      auto m = (*rt)->backup().write_to(work, target, std::string(target) == "config" ? keys : data,
                                        *signer);
      if (!m) return fail(m.error());
      auto bytes = read_file(work + "/" + m->set_id + "/" + std::string(resilience::kManifestFile),
                             64u << 20);
      if (!bytes) return fail(bytes.error());
      x.sets.push_back({m->set_id, target, crypto::to_hex(crypto::sha256(*bytes))});
      report.stored_bytes += m->stored_bytes();
      report.plain_bytes += m->plain_bytes();
      if (std::string(target) == "database") {
        x.audit = m->audit;
        x.created_us = m->created_us;
        x.id = m->set_id.substr(0, 16);
        x.host = m->host;
        x.minato_version = m->minato_version;
      }
    }
    // The files the database refers to but does not hold: the quarantined intake files and
    // the incidents' evidence bundles (when the quarantine is inside the data directory).
    std::vector<resilience::SourceFile> files;
    const std::string quarantine = (*rt)->config().quarantine_dir;
    if (!quarantine.empty() && quarantine.front() != '/') {
      collect_files((*rt)->paths().dir, quarantine, files);
    }
    collect_files((*rt)->paths().dir, "evidence", files);
    if (!files.empty()) {
      if (o.progress) o.progress("set files");
      resilience::WriteOptions wo;
      wo.target = "files";
      wo.created_us = x.created_us;
      wo.host = x.host;
      wo.minato_version = x.minato_version;
      wo.schema_version = (*rt)->store().schema_version();
      auto m = resilience::write_set(work, files, data, *signer, wo);
      if (!m) return fail(m.error());
      auto bytes = read_file(work + "/" + m->set_id + "/" + std::string(resilience::kManifestFile),
                             64u << 20);
      if (!bytes) return fail(bytes.error());
      x.sets.push_back({m->set_id, "files", crypto::to_hex(crypto::sha256(*bytes))});
      report.stored_bytes += m->stored_bytes();
      report.plain_bytes += m->plain_bytes();
    }
    x.terminal = (*rt)->config().terminal_name;
    x.signer_public = signer->public_key();
    const std::string text = to_json(x) + "\n";
    MINATO_TRY(write_file_atomic(work + "/" + std::string(kExportIndexFile), text, 0400));
    MINATO_TRY(write_file_atomic(
        work + "/" + std::string(kExportSignatureFile),
        json::serialize(json::object{{"key_id", x.fingerprint()},
                                     {"signature", crypto::to_hex(signer->sign(text))}}) +
            "\n",
        0400));
    if (::rename(work.c_str(), o.out.c_str()) != 0) {
      fs::remove(o.out, ec);  // <out> may be an empty directory
      if (::rename(work.c_str(), o.out.c_str()) != 0) {
        return fail(ErrorCode::kUnavailable, "cannot move the export to " + o.out);
      }
    }
    return ok();
  }();
  if (!made) {
    resilience::remove_read_only_tree(work);
    return fail(made.error());
  }
  report.dir = o.out;
  // The export in the source's log: its last event before decommissioning, which checks that.
  const auto& x = report.index;
  json::array sets;
  for (const auto& s : x.sets) sets.push_back(json::value(s.id));
  auto st = (*rt)->writes().execute_status(
      access::Actor::local_operator(), {"data.export", "export:" + x.id, access::Permission::kNone},
      [&](store::WriteTxn&, Effects& fx) -> Status {
        fx.change = json::serialize(json::object{{"export", x.id},
                                                 {"dir", fs::absolute(o.out).string()},
                                                 {"sets", sets},
                                                 {"signer_fingerprint", x.fingerprint()},
                                                 {"audit_size", x.audit.size},
                                                 {"audit_root", x.audit.root},
                                                 {"stored_bytes", report.stored_bytes}});
        return ok();
      });
  if (!st) {
    resilience::remove_read_only_tree(o.out);
    return fail(st.error());
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

Result<ExportIndex> read_export(const std::string& dir, const std::string& fingerprint) {
  const std::string want = lower(fingerprint);
  if (want.size() != 64 || want.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return fail(ErrorCode::kInvalidArgument,
                "--fingerprint must be the 64 hex digits of the old host's signing key "
                "(`minato key list` there, or its decommission certificate)",
                "fingerprint");
  }
  const std::string index_path = dir + "/" + std::string(kExportIndexFile);
  const std::string sig_path = dir + "/" + std::string(kExportSignatureFile);
  auto text = read_file(index_path, 1 << 20);
  if (!text) return fail(ErrorCode::kNotFound, index_path + ": " + text.error().message());
  auto sig_text = read_file(sig_path, 1 << 16);
  if (!sig_text) return fail(ErrorCode::kNotFound, sig_path + ": " + sig_text.error().message());
  auto x = parse_index(*text, index_path);
  if (!x) return fail(x.error());
  if (x->fingerprint() != want) {
    return fail(ErrorCode::kPermissionDenied, index_path + " is signed by key " + x->fingerprint() +
                                                  ", not the expected " + want +
                                                  ": this export is not from that installation");
  }
  json::error_code ec;
  auto sv = json::parse(*sig_text, ec);
  const json::value* sig = nullptr;
  if (!ec && sv.is_object()) sig = sv.as_object().if_contains("signature");
  auto sig_bytes = sig && sig->is_string() ? crypto::from_hex(std::string(sig->as_string()))
                                           : Result<std::string>(fail(ErrorCode::kDataLoss, ""));
  if (!sig_bytes || !crypto::SigningKey::verify(x->signer_public, *text, *sig_bytes)) {
    return fail(ErrorCode::kDataLoss, index_path + ": the signature in " + sig_path +
                                          " does not verify: the index was changed");
  }
  // Exactly the sets the index names, with their manifests.
  auto found = find_sets(dir);
  if (found.size() != x->sets.size()) {
    return fail(ErrorCode::kDataLoss, dir + " holds " + std::to_string(found.size()) +
                                          " sets; the signed index names " +
                                          std::to_string(x->sets.size()));
  }
  for (const auto& s : x->sets) {
    auto it =
        std::find_if(found.begin(), found.end(), [&](const FoundSet& f) { return f.id == s.id; });
    if (it == found.end()) {
      return fail(ErrorCode::kDataLoss, dir + ": set " + s.id + " named by the index is missing");
    }
    const std::string mpath = it->dir + "/" + std::string(resilience::kManifestFile);
    auto m = read_file(mpath, 64u << 20);
    if (!m) return fail(m.error());
    if (crypto::to_hex(crypto::sha256(*m)) != s.manifest_sha256) {
      return fail(ErrorCode::kDataLoss, mpath + " is not the manifest the signed index names");
    }
  }
  return x;
}

Result<RestoreReport> import_installation(const ImportOptions& o) {
  auto x = read_export(o.from, o.fingerprint);
  if (!x) return fail(x.error());
  // The recovery files must name the key that signed the index: restore trusts their signer.
  for (const char* name : {"data", "keys"}) {
    const std::string path = BackupService::recovery_path(o.from + "/recovery", name);
    auto text = read_file(path, 1 << 16);
    if (!text) return fail(ErrorCode::kNotFound, path + ": " + text.error().message());
    auto pub = resilience::read_recovery_public(*text, path);
    if (!pub) return fail(pub.error());
    if (pub->signer_public != x->signer_public) {
      return fail(ErrorCode::kDataLoss, path + " names another signing key than the signed index");
    }
  }
  // The files set (quarantine, evidence) is opened into a directory of its own first, then
  // moved into the imported directory once the restore has verified everything else.
  const ExportIndex::Set* files = nullptr;
  for (const auto& s : x->sets) {
    if (s.target == "files") files = &s;
  }
  const std::string files_dir = o.to + ".files-" + std::to_string(static_cast<long>(::getpid()));
  std::error_code ec;
  fs::remove_all(files_dir, ec);
  if (files != nullptr) {
    auto text = read_file(BackupService::recovery_path(o.from + "/recovery", "data"), 1 << 16);
    if (!text) return fail(text.error());
    auto data = resilience::open_recovery_file(*text, o.passphrase, o.from + "/recovery");
    if (!data) return fail(data.error());
    const std::string dir = o.from + "/" + files->id;
    auto m = resilience::read_verified_manifest(dir, x->signer_public);
    if (!m) return fail(m.error());
    MINATO_TRY(make_dir(files_dir, 0700, true));
    if (auto st = resilience::extract_set(dir, *m, *data, files_dir); !st) {
      fs::remove_all(files_dir, ec);
      return fail(st.error());
    }
  }
  RestoreOptions r;
  r.from = o.from;
  r.to = o.to;
  r.recovery_dir = o.from + "/recovery";
  r.data_passphrase = o.passphrase;
  r.keys_passphrase = o.passphrase;
  for (const auto& s : x->sets) {
    if (s.target == "database") r.set = s.id;
  }
  r.listen = o.listen;
  r.progress = o.progress;
  r.record_as = "data.import";
  r.record_target = "export:" + x->id;
  auto report = restore(r);
  if (!report) {
    fs::remove_all(files_dir, ec);
    return fail(report.error());
  }
  if (report->audit_size < x->audit.size) {
    fs::remove_all(files_dir, ec);
    return fail(ErrorCode::kDataLoss, "the imported audit log is shorter than the export's");
  }
  if (files != nullptr) {
    for (const auto& entry : fs::directory_iterator(files_dir, ec)) {
      const fs::path into = fs::path(o.to) / entry.path().filename();
      fs::remove_all(into, ec);  // restore may have made it empty
      fs::rename(entry.path(), into, ec);
      if (ec) {
        return fail(ErrorCode::kUnavailable,
                    "cannot move " + entry.path().string() + " into " + o.to + ": " + ec.message());
      }
    }
    fs::remove_all(files_dir, ec);
  }
  return report;
}

}  // namespace minato::app
