#include "app/software_service.h"

#include <unistd.h>

#include <boost/json.hpp>

#include "app/runtime.h"
#include "common/files.h"
#include "common/version.h"
#include "console/assets.h"
#include "crypto/random.h"
#include "secops/installed_software.h"

namespace minato::app {

namespace json = boost::json;
using access::Permission;

namespace {

std::string uuid_urn() {
  std::string b = crypto::random_bytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string h = crypto::to_hex(b);
  return "urn:uuid:" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
         h.substr(16, 4) + "-" + h.substr(20);
}

// The npm packages bundled into the console (console/build.mjs lists them at build time).
std::vector<secops::SoftwareComponent> console_components() {
  std::vector<secops::SoftwareComponent> out;
  boost::system::error_code ec;
  json::value v = json::parse(console::bundled_components_json(), ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.as_object();
    auto str = [&](std::string_view k) {
      auto* f = o.if_contains(k);
      return f && f->is_string() ? std::string(f->as_string()) : std::string();
    };
    secops::SoftwareComponent c;
    c.name = str("name");
    c.version = str("version");
    c.supplier = "npm";
    c.purl = secops::npm_purl(c.name, c.version);
    c.note = "bundled into the console (" + str("license") + ")";
    out.push_back(std::move(c));
  }
  return out;
}

std::string list_change(const std::string& tag, const store::SoftwareListRecord& l) {
  return json::serialize(json::object{{"table", "software_lists"},
                                      {"asset", tag},
                                      {"source", l.source},
                                      {"file", l.file_name},
                                      {"intake", l.intake_id},
                                      {"count", l.count}});
}

Result<store::AssetRecord> asset_of(store::ReadTxn& tx, const std::string& tag) {
  auto found = tx.find_asset(tag);
  if (!found) return fail(found.error());
  if (!*found) return fail(ErrorCode::kNotFound, "no asset " + tag, "tag");
  return std::move(**found);
}

}  // namespace

Result<secops::Bom> SoftwareService::minato_bom(const SbomInputs& in, int64_t now_us) {
  secops::Bom bom;
  bom.serial = uuid_urn();
  bom.timestamp_us = now_us;
  bom.subject.type = "application";
  bom.subject.name = "minato";
  bom.subject.version = std::string(kMinatoVersion);
  bom.subject.purl = "pkg:generic/minato@" + bom.subject.version;
  bom.subject.supplier = "Minato";
  if (auto self = MappedFile::open("/proc/self/exe")) {
    bom.subject.sha256 = crypto::to_hex(crypto::sha256(self->bytes()));
  }
  auto linked = secops::debian_packages_owning(secops::loaded_objects(), "linked", in.dpkg_query);
  if (!linked) return fail(linked.error());
  bom.components = std::move(*linked);
  // The helper programs Minato runs (and clamd when it scans on this host).
  std::vector<std::string> runs;
  if (!in.sigtool.empty()) runs.push_back(in.sigtool);
  if (in.clamd.starts_with("unix:")) runs.push_back("/usr/sbin/clamd");
  std::vector<std::string> present;
  for (const auto& p : runs) {
    if (::access(p.c_str(), X_OK) == 0) present.push_back(p);
  }
  auto helpers = secops::debian_packages_owning(present, "runs", in.dpkg_query);
  if (!helpers) return fail(helpers.error());
  for (auto& c : *helpers) {
    bool listed = false;
    for (auto& known : bom.components) {
      if (known.purl == c.purl && !c.purl.empty()) {
        known.note += "; " + c.note;
        listed = true;
      }
    }
    if (!listed) bom.components.push_back(std::move(c));
  }
  if (auto os = secops::debian_release(); !os.name.empty()) bom.components.push_back(os);
  for (auto& c : console_components()) bom.components.push_back(std::move(c));
  return bom;
}

Status SoftwareService::require_reader(const access::Actor& actor) const {
  if (actor.has(Permission::kAsset) || actor.has(Permission::kAuditRead)) return ok();
  return fail(ErrorCode::kPermissionDenied,
              "the software inventory needs asset.manage or audit.read");
}

Result<secops::Bom> SoftwareService::sbom(const access::Actor& actor) {
  MINATO_TRY(require_reader(actor));
  const auto& c = rt_.config();
  auto bom = minato_bom({c.sigtool, c.clamd}, rt_.clock().now_us());
  if (!bom) return fail(bom.error());
  MINATO_TRY(rt_.audit().record_access(actor, "Minato's SBOM", "sbom"));
  return bom;
}

Result<SoftwareListView> SoftwareService::list_of(const access::Actor& actor,
                                                  const std::string& tag) {
  MINATO_TRY(require_reader(actor));
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto a = asset_of(**rx, tag);
  if (!a) return fail(a.error());
  auto l = (*rx)->software_list(a->id);
  if (!l) return fail(l.error());
  SoftwareListView v{tag, {}, {}};
  if (*l) {
    v.record = std::move(**l);
    auto cs = secops::components_from_json(v.record.components);
    if (!cs) return fail(cs.error());
    v.components = std::move(*cs);
    v.record.components.clear();
  }
  MINATO_TRY(rt_.audit().record_access(actor, "software of asset " + tag, "asset:" + tag));
  return v;
}

Result<std::vector<SoftwareListView>> SoftwareService::all(const access::Actor& actor) {
  MINATO_TRY(require_reader(actor));
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto assets = (*rx)->list_assets();
  if (!assets) return fail(assets.error());
  auto lists = (*rx)->software_lists();
  if (!lists) return fail(lists.error());
  std::vector<SoftwareListView> out;
  for (auto& l : *lists) {
    SoftwareListView v;
    for (const auto& a : *assets) {
      if (a.id == l.asset_id) v.tag = a.tag;
    }
    auto cs = secops::components_from_json(l.components);
    if (!cs) return fail(cs.error());
    v.components = std::move(*cs);
    l.components.clear();
    v.record = std::move(l);
    out.push_back(std::move(v));
  }
  MINATO_TRY(rt_.audit().record_access(actor, "software inventory", "assets"));
  return out;
}

Result<SoftwareListView> SoftwareService::put(
    const access::Actor& actor, const std::string& tag, store::SoftwareListRecord list,
    const std::vector<secops::SoftwareComponent>& components) {
  list.count = static_cast<int64_t>(components.size());
  list.components = secops::components_to_json(components);
  MINATO_TRY(rt_.writes().execute_status(
      actor, {"software.import", "asset:" + tag, Permission::kAsset},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto a = asset_of(tx, tag);
        if (!a) return fail(a.error());
        list.asset_id = a->id;
        list.imported_us = fx.now_us;
        list.imported_by = actor.subject;
        MINATO_TRY(tx.put_software_list(list));
        // G2.7.5: the new list against the advisories taken in, in the same command.
        auto m = VulnerabilityService::match_in(tx, fx.now_us, actor.subject);
        if (!m) return fail(m.error());
        json::object change = json::parse(list_change(tag, list)).as_object();
        change["findings_opened"] = json::array(m->opened.begin(), m->opened.end());
        change["findings_resolved"] = json::array(m->resolved.begin(), m->resolved.end());
        fx.change = json::serialize(change);
        return ok();
      }));
  list.components.clear();
  return SoftwareListView{tag, std::move(list), components};
}

Result<SoftwareListView> SoftwareService::import_list(const access::Actor& actor,
                                                      const std::string& tag,
                                                      const std::string& file_name,
                                                      std::string data,
                                                      const std::string& channel) {
  // Refused (and audited) before the file is taken in; an unknown asset before the intake too.
  MINATO_TRY(
      rt_.writes().authorize(actor, {"software.import", "asset:" + tag, Permission::kAsset}));
  {
    auto rx = rt_.store().read();
    if (!rx) return fail(rx.error());
    if (auto a = asset_of(**rx, tag); !a) return fail(a.error());
  }
  auto in = rt_.intake().receive(actor, file_name, std::move(data), channel, IntakeKind::kData,
                                 Permission::kAsset);
  if (!in) return fail(in.error());
  const std::string& name = in->record.file_name;
  if (in->type != secops::FileType::kJson && in->type != secops::FileType::kCsv &&
      in->type != secops::FileType::kDpkgList) {
    return fail(ErrorCode::kInvalidArgument,
                name +
                    " is not a software list (dpkg-query output or CycloneDX JSON); it was "
                    "taken in as " +
                    std::string(secops::to_string(in->type)),
                "file");
  }
  auto parsed = secops::parse_software_list(in->data, kMaxComponents);
  if (!parsed) {
    return fail(parsed.error().code(), name + ": " + parsed.error().message(),
                parsed.error().field());
  }
  store::SoftwareListRecord list;
  list.intake_id = in->record.id;
  list.source = parsed->format;
  list.file_name = name;
  return put(actor, tag, std::move(list), parsed->components);
}

Result<SoftwareListView> SoftwareService::record_own(const access::Actor& actor,
                                                     const std::string& tag) {
  MINATO_TRY(
      rt_.writes().authorize(actor, {"software.import", "asset:" + tag, Permission::kAsset}));
  const auto& c = rt_.config();
  auto bom = minato_bom({c.sigtool, c.clamd}, rt_.clock().now_us());
  if (!bom) return fail(bom.error());
  std::vector<secops::SoftwareComponent> components{bom->subject};
  components.insert(components.end(), bom->components.begin(), bom->components.end());
  store::SoftwareListRecord list;
  list.source = "minato";
  list.file_name = bom->serial;
  return put(actor, tag, std::move(list), components);
}

}  // namespace minato::app
