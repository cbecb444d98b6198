#include "secops/nvd_feed.h"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace minato::secops {

namespace json = boost::json;

namespace {

Error bad(const std::string& where, const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, where + ": " + what, "file");
}

Result<std::string> text(const json::object& o, std::string_view key, const std::string& where,
                         size_t max, bool required = false) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) return fail(bad(where, "no " + std::string(key)));
    return std::string();
  }
  if (!v->is_string() || v->as_string().size() > max) {
    return fail(bad(where + "." + std::string(key),
                    "is not a string of at most " + std::to_string(max) + " characters"));
  }
  return std::string(v->as_string());
}

const json::array* array_or_null(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? &v->as_array() : nullptr;
}

Status array_or_absent(const json::object& o, std::string_view key, const std::string& where) {
  const auto* v = o.if_contains(key);
  if (v != nullptr && !v->is_null() && !v->is_array()) {
    return fail(bad(where + "." + std::string(key), "is not an array"));
  }
  return ok();
}

// The first CVSS vector of the newest CVSS version given.
std::string severity_of(const json::object& cve) {
  const auto* metrics = cve.if_contains("metrics");
  if (metrics == nullptr || !metrics->is_object()) return "";
  for (const char* key : {"cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2"}) {
    const auto* list = array_or_null(metrics->as_object(), key);
    if (list == nullptr || list->empty() || !(*list)[0].is_object()) continue;
    const auto* data = (*list)[0].as_object().if_contains("cvssData");
    if (data == nullptr || !data->is_object()) continue;
    const auto* vector = data->as_object().if_contains("vectorString");
    if (vector != nullptr && vector->is_string() && vector->as_string().size() <= 200) {
      return std::string(vector->as_string());
    }
  }
  return "";
}

Status read_match(const json::object& m, const std::string& at, Advisory& a) {
  const auto* vulnerable = m.if_contains("vulnerable");
  if (vulnerable == nullptr || !vulnerable->is_bool()) {
    return fail(bad(at + ".vulnerable", "is not true or false"));
  }
  auto criteria = text(m, "criteria", at, 400, true);
  if (!criteria) return fail(criteria.error());
  auto cpe = parse_cpe(*criteria);
  if (!cpe) return fail(bad(at + ".criteria", cpe.error().message()));
  std::string bounds[4];
  const char* keys[4] = {"versionStartIncluding", "versionStartExcluding", "versionEndIncluding",
                         "versionEndExcluding"};
  for (int i = 0; i < 4; ++i) {
    auto b = text(m, keys[i], at, 200);
    if (!b) return fail(b.error());
    bounds[i] = std::move(*b);
  }
  // Not vulnerable (the platform of an AND), or hardware: not an installed package.
  if (!vulnerable->as_bool() || (cpe->part != "a" && cpe->part != "o")) return ok();
  AffectedPackage p;
  p.ecosystem = "CPE";
  p.name = cpe_name_key(cpe->product);
  p.purl = *criteria;
  if (cpe->version != "*" && cpe->version != "-" && !cpe->version.empty()) {
    p.versions.push_back(cpe->version);
  } else {
    VersionRange r;
    r.introduced = !bounds[0].empty() ? bounds[0] : !bounds[1].empty() ? bounds[1] : "0";
    r.last_affected = bounds[2];
    r.fixed = bounds[3];
    p.ranges.push_back(std::move(r));
  }
  a.affected.push_back(std::move(p));
  return ok();
}

Result<Advisory> cve_record(const json::value& v, const std::string& where) {
  if (!v.is_object()) return fail(bad(where, "is not an object"));
  const auto* cve_v = v.as_object().if_contains("cve");
  if (cve_v == nullptr || !cve_v->is_object()) return fail(bad(where, "has no cve object"));
  const auto& cve = cve_v->as_object();
  Advisory a;
  auto id = text(cve, "id", where, 30, true);
  if (!id) return fail(id.error());
  if (!id->starts_with("CVE-")) {
    return fail(bad(where + ".cve.id", "'" + id->substr(0, 30) + "' is not a CVE identifier"));
  }
  a.id = *id;
  const std::string at = where + " (" + a.id + ")";
  auto published = text(cve, "published", at, 40);
  auto modified = text(cve, "lastModified", at, 40, true);
  auto status = text(cve, "vulnStatus", at, 40);
  for (auto* r : {&published, &modified, &status}) {
    if (!*r) return fail(r->error());
  }
  a.published = *published;
  a.modified = *modified;
  if (*status == "Rejected") a.withdrawn = a.modified;
  MINATO_TRY(array_or_absent(cve, "descriptions", at));
  if (const auto* ds = array_or_null(cve, "descriptions")) {
    for (const auto& d : *ds) {
      if (!d.is_object()) return fail(bad(at + ".descriptions", "holds a non-object"));
      auto lang = text(d.as_object(), "lang", at + ".descriptions", 10);
      auto value = text(d.as_object(), "value", at + ".descriptions", 20'000);
      if (!lang) return fail(lang.error());
      if (!value) return fail(value.error());
      if (*lang == "en" || a.summary.empty()) a.summary = value->substr(0, 300);
    }
  }
  a.severity = severity_of(cve);
  if (!a.withdrawn.empty()) return a;
  MINATO_TRY(array_or_absent(cve, "configurations", at));
  const auto* configs = array_or_null(cve, "configurations");
  if (configs == nullptr) return a;  // not yet analysed: no product named
  for (size_t c = 0; c < configs->size(); ++c) {
    const std::string cw = at + ".configurations[" + std::to_string(c) + "]";
    if (!(*configs)[c].is_object()) return fail(bad(cw, "is not an object"));
    MINATO_TRY(array_or_absent((*configs)[c].as_object(), "nodes", cw));
    const auto* nodes = array_or_null((*configs)[c].as_object(), "nodes");
    if (nodes == nullptr) continue;
    for (size_t n = 0; n < nodes->size(); ++n) {
      const std::string nw = cw + ".nodes[" + std::to_string(n) + "]";
      if (!(*nodes)[n].is_object()) return fail(bad(nw, "is not an object"));
      const auto& node = (*nodes)[n].as_object();
      if (const auto* neg = node.if_contains("negate"); neg && neg->is_bool() && neg->as_bool()) {
        continue;  // "not on this platform": names nothing installed
      }
      MINATO_TRY(array_or_absent(node, "cpeMatch", nw));
      const auto* matches = array_or_null(node, "cpeMatch");
      if (matches == nullptr) continue;
      for (size_t m = 0; m < matches->size(); ++m) {
        const std::string mw = nw + ".cpeMatch[" + std::to_string(m) + "]";
        if (!(*matches)[m].is_object()) return fail(bad(mw, "is not an object"));
        MINATO_TRY(read_match((*matches)[m].as_object(), mw, a));
      }
    }
  }
  return a;
}

}  // namespace

std::string cpe_name_key(std::string_view name) {
  std::string out(name);
  for (auto& c : out) {
    c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

Result<Cpe> parse_cpe(std::string_view text) {
  if (!text.starts_with("cpe:2.3:")) {
    return fail(ErrorCode::kInvalidArgument, "not a CPE 2.3 name (cpe:2.3:...)");
  }
  std::vector<std::string> fields(1);
  for (size_t i = 8; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      fields.back() += text[++i];  // an escaped character stands for itself
    } else if (c == ':') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (fields.size() != 11) {
    return fail(ErrorCode::kInvalidArgument,
                "a CPE 2.3 name has 13 fields, this one " + std::to_string(fields.size() + 2));
  }
  if (fields[0].size() != 1 || std::string_view("aoh*").find(fields[0][0]) == std::string::npos) {
    return fail(ErrorCode::kInvalidArgument, "a CPE part is a, o or h");
  }
  if (fields[2].empty() || fields[2] == "*") {
    return fail(ErrorCode::kInvalidArgument, "a CPE without a product");
  }
  return Cpe{fields[0], fields[1], fields[2], fields[3], fields[4]};
}

bool is_nvd_feed(const json::value& doc) {
  if (!doc.is_object()) return false;
  const auto& o = doc.as_object();
  if (const auto* f = o.if_contains("format"); f && f->is_string() && f->as_string() == "NVD_CVE") {
    return true;
  }
  const auto* list = o.if_contains("vulnerabilities");
  return list != nullptr && list->is_array() && !list->as_array().empty() &&
         list->as_array()[0].is_object() && list->as_array()[0].as_object().contains("cve");
}

Result<Feed> nvd_feed(const json::object& o, size_t max_entries) {
  Feed f;
  f.kind = "nvd";
  auto stamp = text(o, "timestamp", "the NVD feed", 40);
  if (!stamp) return fail(stamp.error());
  f.newest = *stamp;
  const auto* list = array_or_null(o, "vulnerabilities");
  if (list == nullptr) return fail(bad("the NVD feed", "vulnerabilities is not an array"));
  if (list->size() > max_entries) {
    return fail(bad("the NVD feed", "more than " + std::to_string(max_entries) + " CVEs"));
  }
  for (size_t i = 0; i < list->size(); ++i) {
    auto a = cve_record((*list)[i], "vulnerabilities[" + std::to_string(i) + "]");
    if (!a) return fail(a.error());
    if (stamp->empty() && a->modified > f.newest) f.newest = a->modified;
    f.advisories.push_back(std::move(*a));
  }
  return f;
}

}  // namespace minato::secops
