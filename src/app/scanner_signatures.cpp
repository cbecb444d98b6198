#include "app/scanner_signatures.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/files.h"

namespace minato::app {

namespace json = boost::json;
using access::Permission;

namespace {

constexpr secops::DatabaseKind kKinds[] = {secops::DatabaseKind::kCvd, secops::DatabaseKind::kCld,
                                           secops::DatabaseKind::kCud};

// The first `n` bytes of a file (a database's header; main.cvd is hundreds of MB).
Result<std::string> read_head(const std::string& path, size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return fail(ErrorCode::kUnavailable, "cannot open " + path + ": " + std::strerror(errno));
  }
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, out.data() + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

}  // namespace

Result<std::vector<InstalledDatabase>> ScannerSignatures::installed() const {
  std::vector<InstalledDatabase> out;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) {
    return fail(ErrorCode::kNotFound,
                "intake.signature_dir " + dir_ + " cannot be read: " + std::strerror(errno));
  }
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() < 5) continue;
    std::string ext = name.substr(name.size() - 4);
    if (ext != ".cvd" && ext != ".cld" && ext != ".cud") continue;
    auto head = read_head(dir_ + "/" + name, secops::kClamavHeaderBytes + 1);
    if (!head) continue;
    auto db = secops::parse_clamav_database(name, *head);
    if (!db) continue;  // not one of ours to judge; clamd says what it makes of it
    out.push_back(InstalledDatabase{name, db->version, db->built_us, db->signatures});
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(),
            [](const InstalledDatabase& a, const InstalledDatabase& b) { return a.file < b.file; });
  return out;
}

Result<SignatureInstall> ScannerSignatures::install(const access::Actor& actor,
                                                    const std::string& file_name, std::string data,
                                                    const std::string& channel) {
  const std::string base = file_name.substr(file_name.rfind('/') + 1);
  CommandSpec spec{"scanner.signatures.install", "signatures:" + base.substr(0, 64),
                   Permission::kConfigWrite};
  MINATO_TRY(writes_.authorize(actor, spec));
  if (dir_.empty()) {
    return fail(ErrorCode::kFailedPrecondition,
                "intake.signature_dir is not set: set it in minato.toml to clamd's "
                "DatabaseDirectory (e.g. /var/lib/clamav, writable by this account) on the host "
                "where clamd runs",
                "signature_dir");
  }
  std::lock_guard lock(mu_);
  // The state first: a database no newer than the installed one is refused before the file is
  // taken in (the header is read again, and checked, by the intake).
  if (auto head = secops::parse_clamav_database(file_name, data); head) {
    auto now = installed();
    if (!now) return fail(now.error());
    for (const auto& i : *now) {
      if (i.file.rfind(head->name + ".", 0) == 0 && i.file.size() == head->name.size() + 4 &&
          i.version >= head->version) {
        return fail(ErrorCode::kConflict,
                    base + " is version " + std::to_string(head->version) + ", not newer than " +
                        i.file + " (version " + std::to_string(i.version) +
                        ") already installed: older signatures are never put back",
                    "file");
      }
    }
  }

  auto in = intake_.receive(actor, file_name, std::move(data), channel, IntakeKind::kSignatures);
  if (!in) return fail(in.error());
  SignatureInstall out;
  out.intake = in->record;
  out.database = *in->database;
  out.warnings = in->warnings;
  out.installed_as = dir_ + "/" + out.database.file_name();

  // Write it for clamd, then remove the other forms of the same database.
  Status written = write_file_atomic(out.installed_as, in->data, 0644);
  if (written) {
    for (auto k : kKinds) {
      if (k == out.database.kind) continue;
      const std::string other = dir_ + "/" + out.database.name + "." + std::string(to_string(k));
      if (::unlink(other.c_str()) == 0) {
        out.removed.push_back(other);
      } else if (errno != ENOENT) {
        written = fail(ErrorCode::kUnavailable, "installed " + out.installed_as +
                                                    " but cannot remove the older " + other + ": " +
                                                    std::strerror(errno));
        break;
      }
    }
  }

  // Tell clamd; the daily database's version is what VERSION reports, so wait for it.
  if (written) {
    const auto& settings = intake_.settings();
    auto addr = secops::ClamdAddress::parse(settings.clamd);
    if (!addr) return fail(addr.error());
    secops::ClamdClient clamd(*addr, std::min(settings.scan_timeout_ms, 10'000));
    if (auto st = clamd.reload(); !st) {
      out.note = "clamd did not reload (" + st.error().message() +
                 "): it reads the new signatures when it starts (systemctl start clamav-daemon)";
    } else {
      const bool daily = out.database.name == "daily";
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
      while (std::chrono::steady_clock::now() < deadline) {
        auto v = clamd.version();
        if (v && (!daily || v->database == std::to_string(out.database.version))) {
          out.reloaded = true;
          out.scanner = v->raw;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      if (!out.reloaded) {
        out.note = "clamd was told to reload but did not report database " +
                   std::to_string(out.database.version) + " within 120 s: see its log";
      }
    }
  }

  json::array removed;
  for (const auto& r : out.removed) removed.emplace_back(r);
  json::object change{{"table", "scanner_signatures"},
                      {"op", "install"},
                      {"file", out.intake.file_name},
                      {"sha256", out.intake.sha256},
                      {"intake_id", out.intake.id},
                      {"database", out.database.name},
                      {"kind", std::string(to_string(out.database.kind))},
                      {"version", out.database.version},
                      {"signatures", out.database.signatures},
                      {"built_us", out.database.built_us},
                      {"verdict", out.intake.verdict},
                      {"installed_as", out.installed_as},
                      {"removed", removed},
                      {"reloaded", out.reloaded},
                      {"scanner", out.scanner}};
  auto st = writes_.execute_status(actor, spec, [&](store::WriteTxn&, Effects& fx) -> Status {
    fx.change = json::serialize(change);
    if (!written) return fail(written.error());
    fx.reason = out.database.file_name() + " version " + std::to_string(out.database.version) +
                (out.reloaded ? ", clamd reloaded" : "; " + out.note);
    return ok();
  });
  if (!written) return fail(written.error());
  if (!st) return fail(st.error());
  return out;
}

Result<ScannerStatus> ScannerSignatures::status(const access::Actor& actor) {
  if (!actor.has(Permission::kConfigRead)) {
    return fail(ErrorCode::kPermissionDenied, "the scanner's status needs config.read");
  }
  const auto& settings = intake_.settings();
  ScannerStatus s;
  s.clamd = settings.clamd;
  s.max_age_days = settings.signature_max_age_days;
  s.signature_dir = dir_;
  auto addr = secops::ClamdAddress::parse(settings.clamd);
  if (!addr) return fail(addr.error());
  secops::ClamdClient clamd(*addr, std::min(settings.scan_timeout_ms, 10'000));
  auto v = clamd.version();
  if (!v) {
    s.error = v.error().message();
  } else {
    s.reachable = true;
    s.version = *v;
    if (v->built_us != 0) {
      s.age_days = (clock_.now_us() - v->built_us) / 86'400'000'000;
      s.current = s.age_days <= s.max_age_days;
    }
  }
  if (!dir_.empty()) {
    auto list = installed();
    if (!list) return fail(list.error());
    s.installed = std::move(*list);
  }
  return s;
}

}  // namespace minato::app
