#include "secops/advisory.h"

#include "secops/debian_tracker.h"
#include "secops/nvd_feed.h"

#include <boost/json.hpp>

#include <algorithm>

namespace minato::secops {

namespace json = boost::json;

namespace {

constexpr size_t kMaxField = 4000;

Error bad(const std::string& where, const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, where + ": " + what, "file");
}

// A string member, or "" when absent; an error when present and not a string (or too long).
Result<std::string> str(const json::object& o, std::string_view key, const std::string& where,
                        bool required = false) {
  auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) return fail(bad(where, "no " + std::string(key)));
    return std::string();
  }
  if (!v->is_string()) return fail(bad(where + "." + std::string(key), "is not a string"));
  if (v->as_string().size() > kMaxField) {
    return fail(bad(where + "." + std::string(key), "is longer than 4000 characters"));
  }
  if (required && v->as_string().empty()) return fail(bad(where, "an empty " + std::string(key)));
  return std::string(v->as_string());
}

const json::array* array_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_array() ? &v->as_array() : nullptr;
}

Status expect_array_or_absent(const json::object& o, std::string_view key,
                              const std::string& where) {
  auto* v = o.if_contains(key);
  if (v != nullptr && !v->is_null() && !v->is_array()) {
    return fail(bad(where + "." + std::string(key), "is not an array"));
  }
  return {};
}

Result<std::vector<VersionRange>> ranges_of(const json::value& r, const std::string& where) {
  if (!r.is_object()) return fail(bad(where, "a range is not an object"));
  const auto& o = r.as_object();
  auto type = str(o, "type", where, true);
  if (!type) return fail(type.error());
  std::vector<VersionRange> out;
  if (*type == "GIT") return out;  // commits, not installed versions
  if (*type != "ECOSYSTEM" && *type != "SEMVER") {
    return fail(
        bad(where + ".type", "'" + type->substr(0, 40) + "' is not ECOSYSTEM, SEMVER or GIT"));
  }
  MINATO_TRY(expect_array_or_absent(o, "events", where));
  const auto* events = array_at(o, "events");
  if (events == nullptr || events->empty()) return fail(bad(where, "a range without events"));
  bool open = false;
  for (size_t i = 0; i < events->size(); ++i) {
    const std::string at = where + ".events[" + std::to_string(i) + "]";
    if (!(*events)[i].is_object() || (*events)[i].as_object().size() != 1) {
      return fail(
          bad(at, "an event is an object with one of introduced, fixed, last_affected, limit"));
    }
    const auto& [key, value] = *(*events)[i].as_object().begin();
    if (!value.is_string() || value.as_string().empty() || value.as_string().size() > 200) {
      return fail(bad(at + "." + std::string(key), "is not a version"));
    }
    const std::string v(value.as_string());
    if (key == "introduced") {
      out.push_back({v, "", ""});
      open = true;
    } else if (key == "fixed" || key == "last_affected") {
      if (!open) return fail(bad(at, std::string(key) + " without an introduced event before it"));
      (key == "fixed" ? out.back().fixed : out.back().last_affected) = v;
      open = false;
    } else if (key == "limit") {
      continue;  // bounds a search over commits; not an installed version's matter
    } else {
      return fail(bad(at, "unknown event '" + std::string(key).substr(0, 40) + "'"));
    }
  }
  return out;
}

Result<Advisory> osv_record(const json::value& v, const std::string& where) {
  if (!v.is_object()) return fail(bad(where, "an OSV record is a JSON object"));
  const auto& o = v.as_object();
  Advisory a;
  auto id = str(o, "id", where, true);
  if (!id) return fail(id.error());
  if (id->size() > 100) return fail(bad(where + ".id", "is longer than 100 characters"));
  a.id = *id;
  const std::string at = where + " (" + a.id + ")";
  for (auto [key, into] :
       {std::pair{"summary", &a.summary}, {"published", &a.published}, {"modified", &a.modified}}) {
    auto s = str(o, key, at, std::string_view(key) == "modified");
    if (!s) return fail(s.error());
    *into = std::move(*s);
  }
  if (a.summary.empty()) {
    auto d = str(o, "details", at);
    if (!d) return fail(d.error());
    a.summary = d->substr(0, 300);
  }
  // aliases (the same vulnerability elsewhere) and upstream (OSV 1.6: the records this one
  // derives from, as Debian's DEBIAN-CVE-* name their CVE) both say which CVEs it is.
  for (const char* key : {"aliases", "upstream"}) {
    MINATO_TRY(expect_array_or_absent(o, key, at));
    if (const auto* ids = array_at(o, key)) {
      for (const auto& x : *ids) {
        if (!x.is_string() || x.as_string().size() > 100) {
          return fail(bad(at + "." + key, "holds a non-identifier"));
        }
        if (std::find(a.aliases.begin(), a.aliases.end(), x.as_string()) == a.aliases.end()) {
          a.aliases.emplace_back(x.as_string());
        }
      }
    }
  }
  if (const auto* sev = array_at(o, "severity"); sev && !sev->empty() && (*sev)[0].is_object()) {
    auto s = str((*sev)[0].as_object(), "score", at + ".severity[0]");
    if (!s) return fail(s.error());
    a.severity = *s;
  }
  if (a.severity.empty()) {
    if (auto* ds = o.if_contains("database_specific"); ds && ds->is_object()) {
      auto s = str(ds->as_object(), "severity", at + ".database_specific");
      if (s) a.severity = *s;
    }
  }
  auto withdrawn = str(o, "withdrawn", at);
  if (!withdrawn) return fail(withdrawn.error());
  a.withdrawn = *withdrawn;
  MINATO_TRY(expect_array_or_absent(o, "affected", at));
  const auto* affected = array_at(o, "affected");
  // Withdrawn: in the register as such, affecting nothing (its findings resolve).
  if (affected == nullptr || !a.withdrawn.empty()) return a;
  for (size_t i = 0; i < affected->size(); ++i) {
    const std::string aw = at + ".affected[" + std::to_string(i) + "]";
    if (!(*affected)[i].is_object()) return fail(bad(aw, "is not an object"));
    const auto& ao = (*affected)[i].as_object();
    AffectedPackage p;
    auto* pkg = ao.if_contains("package");
    if (pkg == nullptr || !pkg->is_object()) return fail(bad(aw, "no package"));
    for (auto [key, into] :
         {std::pair{"ecosystem", &p.ecosystem}, {"name", &p.name}, {"purl", &p.purl}}) {
      auto s = str(pkg->as_object(), key, aw + ".package", std::string_view(key) != "purl");
      if (!s) return fail(s.error());
      *into = std::move(*s);
    }
    MINATO_TRY(expect_array_or_absent(ao, "ranges", aw));
    if (const auto* ranges = array_at(ao, "ranges")) {
      for (size_t r = 0; r < ranges->size(); ++r) {
        auto rs = ranges_of((*ranges)[r], aw + ".ranges[" + std::to_string(r) + "]");
        if (!rs) return fail(rs.error());
        p.ranges.insert(p.ranges.end(), rs->begin(), rs->end());
      }
    }
    MINATO_TRY(expect_array_or_absent(ao, "versions", aw));
    if (const auto* versions = array_at(ao, "versions")) {
      for (const auto& x : *versions) {
        if (!x.is_string() || x.as_string().empty() || x.as_string().size() > 200) {
          return fail(bad(aw + ".versions", "holds something that is not a version"));
        }
        p.versions.emplace_back(x.as_string());
      }
    }
    a.affected.push_back(std::move(p));
  }
  return a;
}

Result<Feed> kev_feed(const json::object& o, size_t max) {
  Feed f;
  f.kind = "kev";
  auto released = str(o, "dateReleased", "the KEV catalogue");
  if (!released) return fail(released.error());
  f.newest = *released;
  const auto* list = array_at(o, "vulnerabilities");
  if (list == nullptr) return fail(bad("the KEV catalogue", "vulnerabilities is not an array"));
  if (list->size() > max) {
    return fail(bad("the KEV catalogue", "more than " + std::to_string(max) + " entries"));
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string at = "vulnerabilities[" + std::to_string(i) + "]";
    if (!(*list)[i].is_object()) return fail(bad(at, "is not an object"));
    const auto& e = (*list)[i].as_object();
    KevEntry k;
    auto cve = str(e, "cveID", at, true);
    if (!cve) return fail(cve.error());
    if (!cve->starts_with("CVE-") || cve->size() > 30) {
      return fail(bad(at + ".cveID", "'" + cve->substr(0, 40) + "' is not a CVE identifier"));
    }
    k.cve = *cve;
    const std::string kat = at + " (" + k.cve + ")";
    std::string ransomware;
    for (auto [key, into] : {std::pair{"vendorProject", &k.vendor},
                             {"product", &k.product},
                             {"vulnerabilityName", &k.name},
                             {"dateAdded", &k.date_added},
                             {"dueDate", &k.due_date},
                             {"requiredAction", &k.action},
                             {"knownRansomwareCampaignUse", &ransomware}}) {
      auto s = str(e, key, kat);
      if (!s) return fail(s.error());
      *into = std::move(*s);
    }
    k.ransomware = ransomware == "Known";
    f.kev.push_back(std::move(k));
  }
  return f;
}

}  // namespace

Result<Advisory> parse_osv_record(std::string_view text, const std::string& where) {
  json::parse_options opt;
  opt.max_depth = 32;
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec, {}, opt);
  if (ec) return fail(bad(where, "not valid JSON: " + ec.message()));
  return osv_record(doc, where);
}

Result<Feed> parse_feed(std::string_view text, size_t max_entries) {
  json::parse_options opt;
  opt.max_depth = 32;
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec, {}, opt);
  if (ec) return fail(bad("the feed", "not valid JSON: " + ec.message()));
  if (doc.is_object() && doc.as_object().contains("vulnerabilities") &&
      doc.as_object().contains("catalogVersion")) {
    return kev_feed(doc.as_object(), max_entries);
  }
  if (is_nvd_feed(doc)) return nvd_feed(doc.as_object(), max_entries);
  if (is_debian_tracker(doc)) return debian_tracker_feed(doc.as_object(), max_entries);
  Feed f;
  f.kind = "osv";
  auto add = [&](const json::value& v, const std::string& where) -> Status {
    auto a = osv_record(v, where);
    if (!a) return fail(a.error());
    if (a->modified > f.newest) f.newest = a->modified;
    f.advisories.push_back(std::move(*a));
    return {};
  };
  if (doc.is_object()) {
    if (!doc.as_object().contains("id") || !doc.as_object().contains("modified")) {
      return fail(bad("the feed",
                      "neither an OSV record (id, modified) nor a KEV catalogue "
                      "(catalogVersion, vulnerabilities)"));
    }
    MINATO_TRY(add(doc, "the record"));
    return f;
  }
  if (!doc.is_array()) return fail(bad("the feed", "neither an OSV record nor an array of them"));
  const auto& list = doc.as_array();
  if (list.empty()) return fail(bad("the feed", "an empty array"));
  if (list.size() > max_entries) {
    return fail(bad("the feed", "more than " + std::to_string(max_entries) + " records"));
  }
  for (size_t i = 0; i < list.size(); ++i) MINATO_TRY(add(list[i], "record " + std::to_string(i)));
  return f;
}

std::vector<std::string> cve_ids(const Advisory& a) {
  std::vector<std::string> out;
  if (a.id.starts_with("CVE-")) out.push_back(a.id);
  for (const auto& x : a.aliases) {
    if (x.starts_with("CVE-")) out.push_back(x);
  }
  return out;
}

std::string affected_to_json(const std::vector<AffectedPackage>& affected) {
  json::array out;
  for (const auto& p : affected) {
    json::array ranges, versions;
    for (const auto& r : p.ranges)
      ranges.push_back(json::array{json::string(r.introduced), json::string(r.fixed),
                                   json::string(r.last_affected)});
    for (const auto& v : p.versions) versions.push_back(json::string(v));
    out.push_back(json::object{{"e", p.ecosystem},
                               {"n", p.name},
                               {"p", p.purl},
                               {"r", std::move(ranges)},
                               {"v", std::move(versions)}});
  }
  return json::serialize(out);
}

Result<std::vector<AffectedPackage>> affected_from_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  auto corrupt = [] {
    return fail(ErrorCode::kDataLoss, "a stored advisory's affected packages are not as written");
  };
  if (ec || !v.is_array()) return corrupt();
  std::vector<AffectedPackage> out;
  for (const auto& e : v.as_array()) {
    if (!e.is_object()) return corrupt();
    const auto& o = e.as_object();
    AffectedPackage p;
    auto s = [&](std::string_view k) {
      auto* x = o.if_contains(k);
      return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    p.ecosystem = s("e");
    p.name = s("n");
    p.purl = s("p");
    const auto* r = array_at(o, "r");
    const auto* vs = array_at(o, "v");
    if (r == nullptr || vs == nullptr) return corrupt();
    for (const auto& x : *r) {
      if (!x.is_array() || x.as_array().size() != 3) return corrupt();
      const auto& t = x.as_array();
      if (!t[0].is_string() || !t[1].is_string() || !t[2].is_string()) return corrupt();
      p.ranges.push_back({std::string(t[0].as_string()), std::string(t[1].as_string()),
                          std::string(t[2].as_string())});
    }
    for (const auto& x : *vs) {
      if (!x.is_string()) return corrupt();
      p.versions.emplace_back(x.as_string());
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace minato::secops
