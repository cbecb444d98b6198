// `minato audit`: verify the Merkle log against its checkpoints and the copies kept outside,
// export a range, rotate the checkpoint key, prune past retention (G2.7.3-d/e).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <fstream>

#include "app/views.h"
#include "audit/log.h"
#include "cli/cli.h"
#include "crypto/random.h"

namespace minato::cli {

namespace json = boost::json;

namespace {

void add_verify(CLI::App& audit) {
  auto* verify = audit.add_subcommand(
      "verify",
      "Recompute the audit log's Merkle tree and check it against every signed checkpoint, in "
      "the database and kept outside");
  struct Opts {
    std::string data;
    std::vector<std::string> external;
    std::vector<std::string> trusted;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  verify->add_option("--data", o->data, "Data directory")->required();
  verify->add_option("--external", o->external,
                     "Checkpoints kept outside: a checkpoint directory, an `audit export` file "
                     "or the syslog collector's file (repeatable)");
  verify->add_option("--trusted-key", o->trusted,
                     "Also trust this Ed25519 public key (64 hex digits; repeatable)");
  verify->add_flag("--json", o->json, "Print the result as JSON");
  verify->callback([o] {
    // Read-only: verifying beside a running server writes nothing (no checkpoint of its own,
    // which the server would then meet at the same size).
    app::RuntimeOptions ro;
    ro.write_path.checkpoint_at_shutdown = false;
    auto rt = app::Runtime::open(o->data, ro);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto opts = (*rt)->verify_options();
    if (!opts) throw CLI::RuntimeError(report(opts.error()));
    for (const auto& hex : o->trusted) {
      auto pub = crypto::from_hex(hex);
      if (!pub || pub->size() != 32) {
        throw CLI::RuntimeError(report(
            Error(ErrorCode::kInvalidArgument, "--trusted-key must be 64 hexadecimal digits")));
      }
      opts->keys[audit::key_id_of(*pub)] = *pub;
    }
    for (const auto& path : o->external) {
      if (auto st = audit::read_external(path, *opts); !st) {
        throw CLI::RuntimeError(report(st.error()));
      }
    }
    auto rep = audit::verify((*rt)->store(), *opts);
    if (!rep) throw CLI::RuntimeError(report(rep.error()));
    if (o->json) {
      json::object out = app::to_json(*rep);
      std::printf("%s\n", json::serialize(out).c_str());
    } else if (rep->intact()) {
      std::printf(
          "audit log intact: %s (%lld pruned), root %s\n"
          "checkpoints: %lld in the database, %lld kept outside; newest covers %s\n",
          counted(rep->events, "event", "events").c_str(), static_cast<long long>(rep->pruned),
          rep->root.c_str(), static_cast<long long>(rep->checkpoints),
          static_cast<long long>(rep->external),
          counted(rep->last_checkpoint, "event", "events").c_str());
      if (rep->external == 0) {
        std::printf(
            "note: no checkpoint kept outside was checked; give --external (or set "
            "audit.checkpoint_dir) to detect removal of the newest events\n");
      }
    } else {
      std::fprintf(stderr, "minato: audit log broken at event %lld: %s\n",
                   static_cast<long long>(rep->first_bad), rep->problem.c_str());
    }
    if (!rep->intact()) throw CLI::RuntimeError(exit_code(ErrorCode::kDataLoss));
  });
}

void add_export(CLI::App& audit) {
  auto* cmd = audit.add_subcommand(
      "export", "Write events and checkpoints as JSON lines (for a SIEM, an auditor or verify)");
  struct Opts {
    std::string data, output;
    int64_t from = 1, to = 0;
    bool redact = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("--from", o->from, "First event (seq)")->check(CLI::Range(int64_t{1}, INT64_MAX));
  cmd->add_option("--to", o->to, "Last event (seq); default: the newest");
  cmd->add_option("--output", o->output, "File to write (default: standard output)");
  cmd->add_flag("--redact", o->redact,
                "Replace personal data (mail addresses, names, telephone numbers) by a keyed "
                "hash, as in the shipped copy");
  cmd->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    FILE* out = stdout;
    std::string tmp;
    if (!o->output.empty()) {
      tmp = o->output + ".partial";
      out = std::fopen(tmp.c_str(), "w");
      if (out == nullptr) {
        throw CLI::RuntimeError(
            report(Error(ErrorCode::kPermissionDenied, "cannot write " + o->output)));
      }
    }
    auto redact = (*rt)->redactor();
    auto exported = (*rt)->audit().export_lines(
        access::Actor::local_operator(), o->from, o->to, (*rt)->config().audit_origin,
        o->redact ? &redact : nullptr,
        [out](const std::string& line) { return std::fprintf(out, "%s\n", line.c_str()) >= 0; });
    Status st = exported ? ok() : Status(fail(exported.error()));
    const int64_t count = exported ? *exported : 0;
    bool wrote = std::fflush(out) == 0 && std::ferror(out) == 0;
    if (out != stdout) {
      wrote = std::fclose(out) == 0 && wrote;
      if (st && wrote && std::rename(tmp.c_str(), o->output.c_str()) != 0) wrote = false;
      if (!st || !wrote) std::remove(tmp.c_str());
    }
    if (!st) throw CLI::RuntimeError(report(st.error()));
    if (!wrote) {
      throw CLI::RuntimeError(report(Error(ErrorCode::kResourceExhausted,
                                           "the export could not be written in full "
                                           "(disk full?); nothing was left behind")));
    }
    std::fprintf(stderr, "exported %s\n", counted(count, "event", "events").c_str());
  });
}

void add_rotate(CLI::App& audit) {
  auto* cmd = audit.add_subcommand(
      "rotate-key",
      "Make a new checkpoint signing key; the old public key stays trusted (restart a running "
      "server to use the new key)");
  struct Opts {
    std::string data;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto id = (*rt)->rotate_audit_key();
    if (!id) throw CLI::RuntimeError(report(id.error()));
    print_result(o->json, json::object{{"key_id", *id}},
                 "audit checkpoints are now signed by key " + *id + "\n");
  });
}

void add_prune(CLI::App& audit) {
  auto* cmd = audit.add_subcommand(
      "prune",
      "Remove the content of events before a month past the retention period (G2.7.3-e); "
      "their hashes stay so the log still verifies");
  struct Opts {
    std::string data, before;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("--before", o->before, "First month to keep, YYYY-MM")->required();
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o] {
    int year = 0, month = 0;
    char extra = 0;
    if (std::sscanf(o->before.c_str(), "%4d-%2d%c", &year, &month, &extra) != 2) {
      throw CLI::RuntimeError(
          report(Error(ErrorCode::kInvalidArgument, "--before must look like 2023-04")));
    }
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto r = (*rt)->audit().prune(access::Actor::local_operator(), year, month);
    if (!r) throw CLI::RuntimeError(report(r.error()));
    print_result(
        o->json,
        json::object{
            {"pruned_events", r->events}, {"before", r->before}, {"before_seq", r->before_seq}},
        "pruned the content of " + counted(r->events, "event", "events") + " before " + r->before +
            " (seq < " + std::to_string(r->before_seq) + ")\n");
  });
}

}  // namespace

void add_audit(CLI::App& app) {
  auto* audit = app.add_subcommand("audit", "Work with the audit log");
  audit->require_subcommand(1);
  add_verify(*audit);
  add_export(*audit);
  add_rotate(*audit);
  add_prune(*audit);
}

}  // namespace minato::cli
