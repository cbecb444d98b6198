#include "app/media_intake.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/clock.h"
#include "common/files.h"
#include "crypto/random.h"
#include "secops/feed_archive.h"
#include "secops/sigtool.h"

namespace minato::app {

namespace json = boost::json;
using access::Permission;

namespace {

// The name as given, reduced to its last path part and printable ASCII (it is shown and logged).
std::string clean_name(const std::string& name) {
  std::string base =
      name.substr(name.find_last_of('/') == std::string::npos ? 0 : name.find_last_of('/') + 1);
  std::string out;
  for (char c : base) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '_';
  }
  if (out.empty()) out = "unnamed";
  return out.substr(0, 200);
}

Status sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return fail(ErrorCode::kUnavailable, "cannot open " + dir + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    return fail(ErrorCode::kUnavailable, "cannot sync " + dir + ": " + std::strerror(errno));
  return ok();
}

// Writes the quarantined copy: a new file (never over another), read-only, flushed to disk.
Status write_quarantine(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return fail(ErrorCode::kUnavailable,
                "cannot write the quarantine copy " + path + ": " + std::strerror(errno));
  }
  size_t at = 0;
  while (at < data.size()) {
    ssize_t n = ::write(fd, data.data() + at, data.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(path.c_str());
      return fail(ErrorCode::kUnavailable,
                  "cannot write the quarantine copy " + path + ": " + why + " (nothing kept)");
    }
    at += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::fchmod(fd, 0400) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    ::unlink(path.c_str());
    return fail(ErrorCode::kUnavailable,
                "cannot flush the quarantine copy " + path + ": " + why + " (nothing kept)");
  }
  ::close(fd);
  return ok();
}

json::object record_json(const store::MediaIntakeRecord& r) {
  return json::object{{"table", "media_intake"},      {"op", "insert"},
                      {"file_name", r.file_name},     {"bytes", r.bytes},
                      {"sha256", r.sha256},           {"file_type", r.file_type},
                      {"verdict", r.verdict},         {"signature", r.signature},
                      {"engine", r.engine},           {"database", r.database},
                      {"database_us", r.database_us}, {"channel", r.channel},
                      {"override_id", r.override_id}, {"stored_as", r.stored_as}};
}

// sigtool decides by a file's name ("daily.cvd"): the quarantined copy is linked under its
// database's name in a directory of its own for the check, and the link removed after.
Result<secops::SigtoolCheck> sigtool_check(const IntakeSettings& s, const std::string& quarantined,
                                           const std::string& stem, const std::string& name) {
  const std::string dir = s.quarantine_dir + "/" + stem + ".check";
  MINATO_TRY(make_dir(dir, 0700, true));
  const std::string path = dir + "/" + name;
  std::error_code ec;
  if (::link(quarantined.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::filesystem::remove_all(dir, ec);
    return fail(ErrorCode::kUnavailable, "cannot link " + quarantined + " for sigtool: " + why);
  }
  auto c = secops::check_with_sigtool(s.sigtool, path, s.scan_timeout_ms);
  std::filesystem::remove_all(dir, ec);
  return c;
}

constexpr int64_t kDayUs = int64_t{86'400} * 1'000'000;

// G2.7.1-b: what security staff must hear of at once, worst first.
enum class Alarm { kNone, kOldSignatures, kForgedSignatures, kScanner, kInfected };

Alert intake_alert(Alarm alarm, const store::MediaIntakeRecord& r, const std::string& problem) {
  Alert a;
  const std::string file = r.file_name + " (SHA-256 " + r.sha256.substr(0, 16) + "…, " +
                           "intake record " + std::to_string(r.id) +
                           (r.stored_as.empty() ? "" : ", quarantine " + r.stored_as) + ")";
  switch (alarm) {
    case Alarm::kInfected:
      a.event = "media.infected";
      a.title_ja = "マルウェアを検出: " + r.file_name;
      a.title_en = "Malware found: " + r.file_name;
      a.text_ja = "媒体受入で " + file + " から " + r.signature +
                  " を検出し、受入を拒否しました（" + r.received_by +
                  "）。持ち込まれた媒体とその端末を隔離し、インシデントとして扱ってください。";
      a.text_en = "The media intake found " + r.signature + " in " + file + ", brought in by " +
                  r.received_by + ", and refused it. Isolate the medium and the computer it came " +
                  "from, and treat this as an incident.";
      break;
    case Alarm::kScanner:
      a.event = "media.scanner_unavailable";
      a.title_ja = "マルウェアスキャナーが検査できません: " + r.file_name;
      a.title_en = "Malware scanner could not scan: " + r.file_name;
      a.text_ja = file + " を検査できず、受入を拒否しました: " + problem +
                  "。スキャナーを復旧してください。";
      a.text_en =
          file + " could not be scanned and was refused: " + problem + ". Bring the scanner back.";
      break;
    case Alarm::kForgedSignatures:
      a.event = "media.signatures_refused";
      a.title_ja = "署名のないマルウェア定義を拒否: " + r.file_name;
      a.title_en = "Malware signature update refused: " + r.file_name;
      a.text_ja = file + " は ClamAV の署名が確認できないため拒否しました: " + problem +
                  "。改ざんされた更新媒体の可能性があります。入手経路を確認してください。";
      a.text_en = file + " was refused, as ClamAV's signature on it does not verify: " + problem +
                  ". The update medium may have been tampered with; check where it came from.";
      break;
    case Alarm::kOldSignatures:
      a.event = "media.signatures_old";
      a.title_ja = "マルウェア定義が古くなっています";
      a.title_en = "Malware signatures out of date";
      a.text_ja = file + " の受入時: " + problem +
                  "。最新の定義をオフラインで取り込んでください（minato scanner install）。";
      a.text_en = "At the intake of " + file + ": " + problem +
                  ". Bring in current signatures offline (minato scanner install).";
      break;
    case Alarm::kNone:
      break;
  }
  a.details_json = json::serialize(json::object{{"intake", r.id},
                                                {"file", r.file_name},
                                                {"sha256", r.sha256},
                                                {"verdict", r.verdict},
                                                {"signature", r.signature},
                                                {"by", r.received_by},
                                                {"problem", problem}});
  return a;
}

}  // namespace

Result<IntakeOutcome> MediaIntake::receive(const access::Actor& actor, const std::string& file_name,
                                           std::string data, const std::string& channel,
                                           IntakeKind kind, Permission required) {
  IntakeOutcome out;
  store::MediaIntakeRecord& r = out.record;
  r.received_by = actor.subject;
  r.channel = channel;
  r.file_name = clean_name(file_name);
  r.bytes = static_cast<int64_t>(data.size());
  r.sha256 = crypto::to_hex(crypto::sha256(data));
  const std::string target = "file:" + r.sha256;
  // Refused and audited before any work.
  MINATO_TRY(writes_.authorize(actor, {"media.intake", target, required}));

  // 1. Quarantine: the bytes are on disk, apart, before anything looks inside them.
  MINATO_TRY(make_dir(settings_.quarantine_dir, 0700, false));
  const std::string stem = format_utc(clock_.now_us(), "%Y%m%dT%H%M%SZ") + "-" +
                           r.sha256.substr(0, 16) + "-" + crypto::to_hex(crypto::random_bytes(3));
  std::string refusal;
  ErrorCode refusal_code = ErrorCode::kInvalidArgument;
  // Set when the file cannot pass its check as things stand (the scanner is down; a signature
  // container nobody signed): only a security officer's approved override lets it in.
  bool needs_override = false;
  std::string override_why;
  Alarm alarm = Alarm::kNone;
  std::string alarm_why;
  auto raise = [&](Alarm a, const std::string& why) {
    if (a > alarm) {
      alarm = a;
      alarm_why = why;
    }
  };
  auto quarantined = write_quarantine(settings_.quarantine_dir + "/" + stem + ".new", data);
  if (!quarantined) {
    refusal = quarantined.error().message();
    refusal_code = ErrorCode::kUnavailable;
    r.file_type = "unknown";
  }

  // 2. Size, 3. type.
  if (refusal.empty() && (data.empty() || r.bytes > settings_.max_bytes)) {
    refusal = data.empty() ? "the file is empty"
                           : "the file has " + std::to_string(r.bytes) +
                                 " bytes, more than intake.max_bytes (" +
                                 std::to_string(settings_.max_bytes) + ")";
    r.file_type = data.empty() ? "empty" : "too-large";
  }
  if (refusal.empty() && kind == IntakeKind::kSignatures) {
    auto db = secops::parse_clamav_database(file_name, data);
    if (!db) {
      refusal = db.error().message();
      r.file_type = "not-a-signature-database";
    } else {
      out.database = *db;
      r.file_type = "clamav-" + std::string(secops::to_string(db->kind));
    }
  } else if (refusal.empty() && kind == IntakeKind::kAdvisoryArchive) {
    // Archives are refused everywhere else; this one only as what it claims, within limits.
    auto entries = secops::check_feed_archive(data, secops::ArchiveLimits{});
    if (!entries) {
      refusal = entries.error().message();
      r.file_type = "not-an-advisory-archive";
    } else {
      out.type = secops::FileType::kZip;
      r.file_type = "zip";
    }
  } else if (refusal.empty()) {
    std::string looks_like;
    auto type = kind == IntakeKind::kEvidence ? secops::classify_evidence(data, &looks_like)
                                              : secops::classify_file(data, &looks_like);
    if (!type) {
      refusal = type.error().message();
      r.file_type = looks_like;
    } else {
      out.type = *type;
      r.file_type = std::string(secops::to_string(*type));
    }
  }

  // 4a. A signature database is checked by ClamAV's sigtool (its signature by ClamAV), not
  // scanned: the scanner may be down for want of signatures.
  if (refusal.empty() && kind == IntakeKind::kSignatures) {
    auto check = sigtool_check(settings_, settings_.quarantine_dir + "/" + stem + ".new", stem,
                               out.database->file_name());
    r.engine = "sigtool";
    r.database = std::to_string(out.database->version);
    r.database_us = out.database->built_us;
    if (!check) {  // sigtool missing or stuck: refused and recorded like any other refusal
      refusal = check.error().message();
      refusal_code = check.error().code();
    } else if (check->verdict == secops::SigtoolCheck::kVerified) {
      r.verdict = "verified";
    } else if (check->verdict == secops::SigtoolCheck::kUnsigned) {
      needs_override = true;
      override_why = out.database->file_name() + " is " + check->detail;
    } else {
      refusal = "sigtool: " + check->detail + " (not a signature database signed by ClamAV)";
      refusal_code = ErrorCode::kPermissionDenied;
      raise(Alarm::kForgedSignatures, check->detail);
    }
  }

  // 4b. The scanner: its signatures' age, then the file.
  if (refusal.empty() && (kind == IntakeKind::kData || kind == IntakeKind::kEvidence)) {
    auto addr = secops::ClamdAddress::parse(settings_.clamd);
    if (!addr) return fail(addr.error());
    secops::ClamdClient clamd(*addr, settings_.scan_timeout_ms);
    auto version = clamd.version();
    if (!version) {
      needs_override = true;
      override_why = version.error().message();
    } else {
      r.engine = version->engine;
      r.database = version->database;
      r.database_us = version->built_us;
      const int64_t max_age_us = int64_t{settings_.signature_max_age_days} * 86'400'000'000;
      std::string age_problem;
      if (version->built_us == 0) {
        age_problem = "the malware scanner gives no signature database date (" + version->raw +
                      "), so its age cannot be checked";
      } else if (clock_.now_us() - version->built_us > max_age_us) {
        age_problem = "the malware scanner's signatures (database " + version->database + ") are " +
                      std::to_string((clock_.now_us() - version->built_us) / 86'400'000'000) +
                      " days old, more than intake.signature_max_age_days (" +
                      std::to_string(settings_.signature_max_age_days) + ")";
      }
      if (!age_problem.empty()) {
        std::lock_guard lock(old_alerted_mu_);
        auto last = old_alerted_us_.find(version->database);
        if (last == old_alerted_us_.end() || clock_.now_us() - last->second >= kDayUs) {
          raise(Alarm::kOldSignatures, age_problem);
        }
      }
      if (!age_problem.empty() && settings_.refuse_old_signatures) {
        refusal = age_problem + ": refused (intake.signature_age_action = \"refuse\")";
        refusal_code = ErrorCode::kFailedPrecondition;
      } else if (!age_problem.empty()) {
        // Let in as intake.signature_age_action = "warn" says, and said where it is seen: in
        // the intake record and the import's report.
        out.warnings.push_back(age_problem + " (intake.signature_age_action = \"warn\")");
        r.reason = "accepted with a warning: " + out.warnings.back();
      }
      if (refusal.empty()) {
        auto verdict = clamd.scan(data);
        if (!verdict && verdict.error().code() == ErrorCode::kResourceExhausted) {
          refusal = verdict.error().message();
          raise(Alarm::kScanner, refusal);
        } else if (!verdict) {
          needs_override = true;
          override_why = verdict.error().message();
        } else if (verdict->infected) {
          r.verdict = "infected";
          r.signature = verdict->signature;
          refusal = "malware found: " + verdict->signature;
          refusal_code = ErrorCode::kPermissionDenied;
          raise(Alarm::kInfected, refusal);
        }
      }
    }
  }

  // 5. The verdict, in the file's quarantine name and in the record (one audited command).
  if (r.verdict.empty()) r.verdict = !refusal.empty() ? "refused" : needs_override ? "" : "clean";
  const std::string suffix = r.verdict.empty() ? ".unscanned" : "." + r.verdict;
  if (quarantined) {
    std::string from = settings_.quarantine_dir + "/" + stem + ".new";
    std::string to = settings_.quarantine_dir + "/" + stem + suffix;
    if (::rename(from.c_str(), to.c_str()) == 0 && sync_dir(settings_.quarantine_dir)) {
      r.stored_as = stem + suffix;
    } else {
      r.stored_as = stem + ".new";
    }
  }
  auto st = writes_.execute_status(
      actor, {"media.intake", target, required}, [&](store::WriteTxn& tx, Effects& fx) -> Status {
        r.received_us = fx.now_us;
        if (needs_override && refusal.empty()) {
          // Fail closed, unless a security officer approved letting exactly this file in.
          auto open = tx.list_approvals(true, 500);
          if (!open) return fail(open.error());
          for (store::ApprovalRecord a : *open) {
            if (a.kind == kOverrideKind && a.target == override_target(r.sha256) &&
                a.status == "approved" && fx.now_us < a.expires_us) {
              a.status = "executed";
              a.executed_by = actor.subject;
              a.executed_us = fx.now_us;
              MINATO_TRY(tx.update_approval(a));
              r.override_id = a.id;
              r.verdict = "override";
              break;
            }
          }
          if (r.override_id == 0) {
            r.verdict = "refused";
            refusal = override_why +
                      ": the file is refused (fail closed); a security officer can approve an "
                      "override for its SHA-256 " +
                      r.sha256 + " (minato edi request-override)";
            refusal_code = kind == IntakeKind::kSignatures ? ErrorCode::kPermissionDenied
                                                           : ErrorCode::kUnavailable;
            if (kind == IntakeKind::kData) raise(Alarm::kScanner, override_why);
          }
        }
        if (!refusal.empty()) {
          r.reason = refusal;
        } else if (r.verdict == "override") {
          r.reason = (kind == IntakeKind::kSignatures ? "not verified (" : "not scanned (") +
                     override_why + "); let in by approval " + std::to_string(r.override_id);
        }
        auto id = tx.insert_media_intake(r);
        if (!id) return fail(id.error());
        r.id = *id;
        if (alarm != Alarm::kNone) {
          auto queued = queue_alert(tx, fx.now_us, alerts_, intake_alert(alarm, r, alarm_why));
          if (!queued) return fail(queued.error());
        }
        json::object change = record_json(r);
        change["id"] = r.id;
        change["reason"] = r.reason;
        fx.change = json::serialize(change);
        if (!refusal.empty()) fx.result = "failure";
        fx.reason = r.reason;
        return ok();
      });
  if (!st) return fail(st.error());
  if (alarm == Alarm::kOldSignatures) {
    std::lock_guard lock(old_alerted_mu_);
    old_alerted_us_[r.database] = r.received_us;
  }
  if (!refusal.empty()) {
    return fail(refusal_code,
                r.file_name + " refused: " + refusal + " (intake record " + std::to_string(r.id) +
                    (r.stored_as.empty() ? "" : ", kept in quarantine as " + r.stored_as) + ")");
  }
  if (r.verdict == "override") {
    out.warnings.push_back((kind == IntakeKind::kSignatures ? "not verified: " : "not scanned: ") +
                           override_why + "; let in once by approval " +
                           std::to_string(r.override_id));
  }
  out.data = std::move(data);
  return out;
}

Result<std::vector<store::MediaIntakeRecord>> MediaIntake::list(const access::Actor& actor,
                                                                int limit) {
  if (!actor.has(Permission::kEdiImport) && !actor.has(Permission::kAuditRead)) {
    return fail(ErrorCode::kPermissionDenied,
                "reading the media intake needs edi.import or "
                "audit.read");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->list_media_intake(std::clamp(limit, 1, 1000));
}

}  // namespace minato::app
