// `minato audit verify`: recompute the audit log's hash chain and name the first bad event.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>

#include "audit/audit_chain.h"
#include "cli/cli.h"

namespace minato::cli {

namespace json = boost::json;

void add_audit(CLI::App& app) {
  auto* audit = app.add_subcommand("audit", "Work with the audit log");
  audit->require_subcommand(1);
  auto* verify =
      audit->add_subcommand("verify", "Check that no audit event was changed or removed");
  struct Opts {
    std::string data;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  verify->add_option("--data", o->data, "Data directory")->required();
  verify->add_flag("--json", o->json, "Print the result as JSON");
  verify->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto rx = (*rt)->store().read();
    if (!rx) throw CLI::RuntimeError(report(rx.error()));
    auto rep = audit::verify(**rx);
    if (!rep) throw CLI::RuntimeError(report(rep.error()));
    bool intact = rep->first_bad == 0;
    if (o->json) {
      json::object out{
          {"intact", intact}, {"events_verified", rep->events}, {"head_hash", rep->head_hash}};
      if (!intact) {
        out["first_bad_event"] = rep->first_bad;
        out["problem"] = rep->problem;
      }
      std::printf("%s\n", json::serialize(out).c_str());
    } else if (intact) {
      std::printf("audit log intact: %lld events, head %s\n", static_cast<long long>(rep->events),
                  rep->head_hash.c_str());
    } else {
      std::fprintf(stderr,
                   "minato: audit log broken at event %lld: %s (%lld events before it verified)\n",
                   static_cast<long long>(rep->first_bad), rep->problem.c_str(),
                   static_cast<long long>(rep->events));
    }
    if (!intact) throw CLI::RuntimeError(exit_code(ErrorCode::kDataLoss));
  });
}

}  // namespace minato::cli
