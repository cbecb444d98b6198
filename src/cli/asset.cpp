// `minato asset`: the asset register at the server (G1.2, G2.6.1-a, A1.3.1-3).
//
//   minato asset add --tag SRV-01 --kind server --name "..." [--serial ... --os ... ...]
//   minato asset update SRV-01 [--patches "..." --state maintenance ...]   (only what is given)
//   minato asset list | show TAG
//   minato asset work TAG --date 2026-12-05 --work "..." --worker "..." [--approved-by "..."]
//   minato asset request-checkout TAG --holder "..." --purpose "..." --days 2
//   minato asset checkout APPROVAL_ID | return TAG [--note "..."] | out
//   minato asset import FILE.csv      (through the media intake: scanned and recorded)
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

#include "app/runtime.h"
#include "app/views.h"
#include "cli/cli.h"
#include "common/files.h"

namespace minato::cli {

namespace json = boost::json;

namespace {

// The ledger's fields as options (--used-by for used_by); only those given are applied.
struct FieldOptions {
  std::map<std::string, std::string> given;  // field name -> value
  void add_to(CLI::App* c) {
    for (const auto& f : app::kAssetFields) {
      if (f.name == "tag") continue;
      std::string option(f.name);
      std::replace(option.begin(), option.end(), '_', '-');
      c->add_option_function<std::string>(
          "--" + option, [this, n = std::string(f.name)](const std::string& v) { given[n] = v; },
          "The asset's " + option);
    }
  }
  void apply(store::AssetRecord& a) const {
    for (const auto& f : app::kAssetFields) {
      if (auto it = given.find(std::string(f.name)); it != given.end()) a.*f.member = it->second;
    }
  }
};

std::string loan_text(const store::MediaLoanRecord& l) {
  return "  loan " + std::to_string(l.id) + ": " + l.holder + ", " + l.purpose + ", out " +
         format_utc(l.out_us) + ", due " + format_utc(l.due_us) +
         (l.returned_us != 0 ? ", returned " + format_utc(l.returned_us) : ", OUT") + "\n";
}

}  // namespace

void add_asset(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "asset",
      "The asset register: servers, terminals, network devices, MFP/IoT, removable media; work "
      "records; media loans (G1.2, G2.6.1-a, A1.3.1-3)");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data, tag, date, work, worker, approved_by, holder, purpose, note, file;
    int days = 1;
    int64_t id = 0;
    bool json = false;
    FieldOptions fields;
  };
  auto o = std::make_shared<Opts>();
  auto common = [&](CLI::App* c) {
    c->add_option("--data", o->data, "Data directory")->required();
    c->add_flag("--json", o->json, "Print the result as JSON");
  };

  auto* add = cmd->add_subcommand("add", "Register an asset");
  common(add);
  add->add_option("--tag", o->tag, "The terminal's label, e.g. SRV-01")->required();
  o->fields.add_to(add);
  add->callback([o] {
    store::AssetRecord a;
    a.tag = o->tag;
    a.state = "in_service";
    o->fields.apply(a);
    auto rt = open_runtime(o->data);
    auto id = rt->assets().add(access::Actor::local_operator(), a);
    if (!id) die(id.error());
    print_result(o->json, json::object{{"tag", a.tag}, {"id", *id}}, a.tag + " registered\n");
  });

  auto* update = cmd->add_subcommand("update", "Change an asset's fields (only those given)");
  common(update);
  update->add_option("tag", o->tag, "Asset")->required();
  o->fields.add_to(update);
  update->callback([o] {
    auto rt = open_runtime(o->data);
    auto v = rt->assets().show(access::Actor::local_operator(), o->tag);
    if (!v) die(v.error());
    store::AssetRecord a = v->asset;
    o->fields.apply(a);
    if (auto st = rt->assets().update(access::Actor::local_operator(), a); !st) die(st.error());
    print_result(o->json, json::object{{"tag", a.tag}}, a.tag + " updated\n");
  });

  auto* list = cmd->add_subcommand("list", "The register");
  common(list);
  list->callback([o] {
    auto rt = open_runtime(o->data);
    auto all = rt->assets().list(access::Actor::local_operator());
    if (!all) die(all.error());
    json::array arr;
    std::string text;
    for (const auto& a : *all) {
      arr.push_back(app::to_json(a));
      text += a.tag + "  " + a.kind + "  " + a.state + "  " + a.name + "  (" + a.place + ")\n";
    }
    if (all->empty()) text = "no asset registered\n";
    print_result(o->json, json::object{{"assets", arr}}, text);
  });

  auto* show = cmd->add_subcommand("show", "One asset with its work records and loans");
  common(show);
  show->add_option("tag", o->tag, "Asset")->required();
  show->callback([o] {
    auto rt = open_runtime(o->data);
    auto v = rt->assets().show(access::Actor::local_operator(), o->tag);
    if (!v) die(v.error());
    json::object out = app::to_json(*v);
    const auto& a = v->asset;
    std::string text = a.tag + " (" + a.kind + ", " + a.state + "): " + a.name + "\n  serial " +
                       a.serial + "; OS " + a.os + "; patches " + a.patches + "\n  owner " +
                       a.owner + "; used by " + a.used_by + "; place " + a.place + "; power " +
                       a.power + "; network " + a.network + "\n";
    for (const auto& w : v->work) {
      text += "  " + w.work_date + "  " + w.work + "  (" + w.worker +
              (w.approved_by.empty() ? "" : "; approved by " + w.approved_by) + ")\n";
    }
    for (const auto& l : v->loans) text += loan_text(l);
    print_result(o->json, out, text);
  });

  auto* work = cmd->add_subcommand("work", "Record work done on an asset (G2.6.1-a)");
  common(work);
  work->add_option("tag", o->tag, "Asset")->required();
  work->add_option("--date", o->date, "YYYY-MM-DD")->required();
  work->add_option("--work", o->work, "What was done")->required();
  work->add_option("--worker", o->worker, "Who did it")->required();
  work->add_option("--approved-by", o->approved_by, "Who approved it");
  work->callback([o] {
    auto rt = open_runtime(o->data);
    store::WorkRecord w;
    w.work_date = o->date;
    w.work = o->work;
    w.worker = o->worker;
    w.approved_by = o->approved_by;
    auto id = rt->assets().record_work(access::Actor::local_operator(), o->tag, w);
    if (!id) die(id.error());
    print_result(o->json, json::object{{"work_record", *id}}, "recorded\n");
  });

  auto* req = cmd->add_subcommand(
      "request-checkout",
      "Ask for a removable medium to go out (a security officer approves; G1.2)");
  common(req);
  req->add_option("tag", o->tag, "The medium")->required();
  req->add_option("--holder", o->holder, "Who takes it")->required();
  req->add_option("--purpose", o->purpose, "What for")->required();
  req->add_option("--days", o->days, "How long, 1-30 days")->default_val(1);
  req->callback([o] {
    auto rt = open_runtime(o->data);
    auto id = rt->access().request_media_checkout(access::Actor::local_operator(), o->tag,
                                                  o->holder, o->purpose, o->days);
    if (!id) die(id.error());
    print_result(o->json, json::object{{"approval", *id}},
                 "approval " + std::to_string(*id) + " requested; a security officer approves " +
                     "it, then: minato asset checkout " + std::to_string(*id) + "\n");
  });

  auto* checkout = cmd->add_subcommand("checkout", "Hand a medium out on an approved request");
  common(checkout);
  checkout->add_option("approval", o->id, "The approved request")->required();
  checkout->callback([o] {
    auto rt = open_runtime(o->data);
    auto id = rt->assets().checkout(access::Actor::local_operator(), o->id);
    if (!id) die(id.error());
    print_result(o->json, json::object{{"loan", *id}}, "loan " + std::to_string(*id) + " out\n");
  });

  auto* ret = cmd->add_subcommand("return", "A medium comes back");
  common(ret);
  ret->add_option("tag", o->tag, "The medium")->required();
  ret->add_option("--note", o->note, "Its state on return (scanned, seal intact...)");
  ret->callback([o] {
    auto rt = open_runtime(o->data);
    if (auto st = rt->assets().return_media(access::Actor::local_operator(), o->tag, o->note);
        !st) {
      die(st.error());
    }
    print_result(o->json, json::object{{"tag", o->tag}}, o->tag + " returned\n");
  });

  auto* out = cmd->add_subcommand("out", "Media out on loan now, the earliest due first");
  common(out);
  out->callback([o] {
    auto rt = open_runtime(o->data);
    auto loans = rt->assets().loans_out(access::Actor::local_operator());
    if (!loans) die(loans.error());
    json::array arr;
    std::string text;
    for (const auto& l : *loans) {
      arr.push_back(app::to_json(l));
      text += loan_text(l);
    }
    if (loans->empty()) text = "no medium is out\n";
    print_result(o->json, json::object{{"loans", arr}}, text);
  });

  auto* take_in = cmd->add_subcommand(
      "import", "Import an inventory CSV through the media intake (all or nothing)");
  common(take_in);
  take_in->add_option("file", o->file, "CSV with a header line: tag,kind,name,...")->required();
  take_in->callback([o] {
    auto bytes = read_file(o->file, 64 << 20);
    if (!bytes) die(bytes.error());
    auto rt = open_runtime(o->data);
    std::string name = o->file.substr(o->file.rfind('/') + 1);
    auto r =
        rt->assets().import_csv(access::Actor::local_operator(), name, std::move(*bytes), "cli");
    if (!r) die(r.error());
    print_result(o->json,
                 json::object{{"intake", r->intake_id},
                              {"added", r->added},
                              {"updated", r->updated},
                              {"unchanged", r->unchanged}},
                 counted(r->added, "asset", "assets") + " added, " + std::to_string(r->updated) +
                     " updated, " + std::to_string(r->unchanged) + " unchanged (intake record " +
                     std::to_string(r->intake_id) + ")\n");
  });
}

}  // namespace minato::cli
