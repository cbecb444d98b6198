#include "secops/sbom.h"

#include <boost/json.hpp>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>

#include "common/clock.h"

namespace minato::secops {

namespace json = boost::json;

namespace {

bool unreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

bool debian_name(std::string_view n) {
  if (n.size() < 2 || !std::isalnum(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Debian policy 5.6.12: [epoch:]upstream[-revision]; the characters only (ordering and the
// finer rules are libapt-pkg's).
bool debian_version(std::string_view v) {
  if (v.empty() || v.size() > 200) return false;
  size_t colon = v.find(':');
  if (colon != std::string_view::npos) {
    if (colon == 0 || colon + 1 == v.size()) return false;  // "1:" has no upstream version
    for (size_t i = 0; i < colon; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
    }
  }
  for (size_t i = colon == std::string_view::npos ? 0 : colon + 1; i < v.size(); ++i) {
    const char c = v[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '+' && c != '~' &&
        c != '-' && c != ':') {
      return false;
    }
  }
  return std::isalnum(
      static_cast<unsigned char>(v[colon == std::string_view::npos ? 0 : colon + 1]));
}

bool debian_arch(std::string_view a) {
  if (a.empty() || a.size() > 32) return false;
  for (char c : a) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::vector<std::string_view> split_ws(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

Error line_error(size_t line, const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, "line " + std::to_string(line) + ": " + what, "file");
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 60)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  return out;
}

// A qualifier of a purl ("arch" of pkg:deb/debian/x@1?arch=amd64&distro=...).
std::string purl_qualifier(std::string_view purl, std::string_view key) {
  size_t q = purl.find('?');
  if (q == std::string_view::npos) return "";
  std::string_view rest = purl.substr(q + 1);
  rest = rest.substr(0, rest.find('#'));
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view kv = rest.substr(0, amp);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos && kv.substr(0, eq) == key) {
      auto v = purl_decode(kv.substr(eq + 1));
      return v ? *v : "";
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return "";
}

std::string string_at(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return "";
}

struct CdxReader {
  size_t max;
  std::vector<SoftwareComponent>& out;

  Status component(const json::value& v, const std::string& path, int depth) {
    if (depth > 16) {
      return fail(ErrorCode::kInvalidArgument, path + ": components nested too deep", "file");
    }
    if (!v.is_object()) {
      return fail(ErrorCode::kInvalidArgument, path + ": a component must be an object", "file");
    }
    const auto& o = v.as_object();
    SoftwareComponent c;
    c.type = string_at(o, "type");
    c.name = string_at(o, "name");
    c.version = string_at(o, "version");
    c.purl = string_at(o, "purl");
    c.cpe = string_at(o, "cpe");
    if (auto* s = o.if_contains("supplier"); s && s->is_object()) {
      c.supplier = string_at(s->as_object(), "name");
    }
    if (c.supplier.empty()) c.supplier = string_at(o, "publisher");
    if (c.name.empty()) {
      return fail(ErrorCode::kInvalidArgument, path + ": a component without a name", "file");
    }
    if (c.type.empty()) c.type = "library";
    for (const auto* field : {&c.name, &c.version, &c.purl, &c.cpe, &c.supplier, &c.type}) {
      if (field->size() > 1000) {
        return fail(ErrorCode::kInvalidArgument, path + ": a field longer than 1000 characters",
                    "file");
      }
    }
    if (!c.purl.empty() && c.purl.rfind("pkg:", 0) != 0) {
      return fail(ErrorCode::kInvalidArgument,
                  path + ".purl: '" + printable(c.purl) + "' is not a package URL (pkg:...)",
                  "file");
    }
    c.arch = purl_qualifier(c.purl, "arch");
    if (std::string up = purl_qualifier(c.purl, "upstream"); !up.empty()) {
      size_t at = up.find('@');
      c.source = up.substr(0, at);
      if (at != std::string::npos) c.source_version = up.substr(at + 1);
    }
    if (out.size() >= max) {
      return fail(ErrorCode::kInvalidArgument, "more than " + std::to_string(max) + " components",
                  "file");
    }
    out.push_back(std::move(c));
    if (auto* nested = o.if_contains("components")) {
      MINATO_TRY(list(*nested, path + ".components", depth + 1));
    }
    return {};
  }

  Status list(const json::value& v, const std::string& path, int depth) {
    if (!v.is_array()) {
      return fail(ErrorCode::kInvalidArgument, path + " must be an array", "file");
    }
    const auto& a = v.as_array();
    for (size_t i = 0; i < a.size(); ++i) {
      MINATO_TRY(component(a[i], path + "[" + std::to_string(i) + "]", depth));
    }
    return {};
  }
};

void put(json::object& o, std::string_view key, const std::string& value) {
  if (!value.empty()) o[key] = value;
}

json::object component_json(const SoftwareComponent& c) {
  json::object o;
  o["type"] = c.type.empty() ? "library" : c.type;
  if (!c.purl.empty()) o["bom-ref"] = c.purl;
  o["name"] = c.name;
  put(o, "version", c.version);
  if (!c.supplier.empty()) o["supplier"] = json::object{{"name", c.supplier}};
  put(o, "purl", c.purl);
  put(o, "cpe", c.cpe);
  if (!c.sha256.empty()) {
    o["hashes"] = json::array{json::object{{"alg", "SHA-256"}, {"content", c.sha256}}};
  }
  if (!c.note.empty()) {
    o["properties"] = json::array{json::object{{"name", "minato:why"}, {"value", c.note}}};
  }
  return o;
}

}  // namespace

std::string purl_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (unreserved(c)) {
      out += c;
    } else {
      auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

Result<std::string> purl_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      return fail(ErrorCode::kInvalidArgument, "a broken %-escape in '" + printable(s) + "'",
                  "purl");
    }
    out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

std::string debian_purl(std::string_view name, std::string_view version, std::string_view arch,
                        std::string_view source, std::string_view source_version) {
  std::string p = "pkg:deb/debian/" + purl_encode(name) + "@" + purl_encode(version);
  std::string q;
  if (!arch.empty()) q += "arch=" + purl_encode(arch);
  if (!source.empty() &&
      (source != name || (!source_version.empty() && source_version != version))) {
    std::string up(source);
    if (!source_version.empty() && source_version != version)
      up += "@" + std::string(source_version);
    q += (q.empty() ? "" : "&") + std::string("upstream=") + purl_encode(up);
  }
  return q.empty() ? p : p + "?" + q;
}

std::string npm_purl(std::string_view name, std::string_view version) {
  // A scoped name's '@' is encoded; the '/' between scope and name separates namespace.
  std::string p = "pkg:npm/";
  if (!name.empty() && name[0] == '@') {
    size_t slash = name.find('/');
    p += "%40" + purl_encode(name.substr(1, slash - 1)) + "/" +
         purl_encode(slash == std::string_view::npos ? "" : name.substr(slash + 1));
  } else {
    p += purl_encode(name);
  }
  return p + "@" + purl_encode(version);
}

Result<SoftwareList> parse_dpkg_list(std::string_view text, size_t max_components) {
  SoftwareList list;
  list.format = "dpkg-query";
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    // `dpkg -l`: a header, then "ii  name  version  arch  description".
    if (line.starts_with("Desired=") || line.starts_with("| Status=") ||
        line.starts_with("|/ Err") || line.starts_with("||/") || line.starts_with("+++-")) {
      list.format = "dpkg-l";
      continue;
    }
    SoftwareComponent c;
    std::string_view name, version, arch, source, source_version;
    if (list.format == "dpkg-l") {
      auto f = split_ws(line);
      if (f.size() < 4 || f[0].size() < 2 || f[0].size() > 3) {
        return fail(
            line_error(line_no, "not a `dpkg -l` line (state, name, version, architecture)"));
      }
      if (f[0] != "ii" && f[0] != "hi") continue;  // not installed (rc, un, ...)
      name = f[1];
      version = f[2];
      arch = f[3];
    } else {
      std::vector<std::string_view> f;
      size_t start = 0;
      while (true) {
        size_t tab = line.find('\t', start);
        f.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
        if (tab == std::string_view::npos) break;
        start = tab + 1;
      }
      if (f.size() < 2 || f.size() > 5) {
        return fail(line_error(
            line_no,
            "expected name, version and optionally architecture, source package and source "
            "version separated by tabs (dpkg-query -W -f='${Package}\\t${Version}\\t"
            "${Architecture}\\t${source:Package}\\t${source:Version}\\n')"));
      }
      name = f[0];
      version = f[1];
      if (f.size() >= 3) arch = f[2];
      if (f.size() >= 4) source = f[3];
      if (f.size() >= 5) source_version = f[4];
      if (version.empty()) continue;  // known to dpkg but not installed
    }
    // ${binary:Package} prints "name:arch" for multi-arch packages.
    if (size_t colon = name.find(':'); colon != std::string_view::npos) {
      if (arch.empty()) arch = name.substr(colon + 1);
      name = name.substr(0, colon);
    }
    if (!debian_name(name)) {
      return fail(line_error(line_no, "'" + printable(name) + "' is not a Debian package name"));
    }
    if (!debian_version(version)) {
      return fail(line_error(line_no, "'" + printable(version) +
                                          "' is not a Debian version (package " +
                                          std::string(name) + ")"));
    }
    if (!arch.empty() && !debian_arch(arch)) {
      return fail(line_error(line_no, "'" + printable(arch) + "' is not a Debian architecture"));
    }
    if (!source.empty() && !debian_name(source)) {
      return fail(
          line_error(line_no, "'" + printable(source) + "' is not a Debian source package name"));
    }
    if (!source_version.empty() && !debian_version(source_version)) {
      return fail(line_error(line_no, "'" + printable(source_version) +
                                          "' is not a Debian version (source of " +
                                          std::string(name) + ")"));
    }
    if (list.components.size() >= max_components) {
      return fail(line_error(line_no, "more than " + std::to_string(max_components) + " packages"));
    }
    c.name = name;
    c.version = version;
    c.arch = arch;
    c.supplier = "Debian";
    if (source != name) c.source = source;
    if (source_version != version) c.source_version = source_version;
    c.purl = debian_purl(name, version, arch, source, source_version);
    list.components.push_back(std::move(c));
  }
  if (list.components.empty()) {
    return fail(ErrorCode::kInvalidArgument, "no installed package listed", "file");
  }
  return list;
}

Result<SoftwareList> parse_cyclonedx(std::string_view text, size_t max_components) {
  json::parse_options opt;
  opt.max_depth = 64;
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec, {}, opt);
  if (ec) {
    return fail(ErrorCode::kInvalidArgument, "not valid JSON: " + ec.message(), "file");
  }
  if (!doc.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "a CycloneDX BOM is a JSON object", "file");
  }
  const auto& o = doc.as_object();
  if (string_at(o, "bomFormat") != "CycloneDX") {
    return fail(ErrorCode::kInvalidArgument, "not a CycloneDX BOM (bomFormat is not \"CycloneDX\")",
                "file");
  }
  const std::string spec = string_at(o, "specVersion");
  if (spec != "1.2" && spec != "1.3" && spec != "1.4" && spec != "1.5" && spec != "1.6") {
    return fail(ErrorCode::kInvalidArgument,
                "CycloneDX specVersion '" + printable(spec) + "' is not one of 1.2 to 1.6", "file");
  }
  SoftwareList list;
  list.format = "cyclonedx";
  CdxReader reader{max_components, list.components};
  if (auto* m = o.if_contains("metadata"); m && m->is_object()) {
    if (auto* subject = m->as_object().if_contains("component")) {
      MINATO_TRY(reader.component(*subject, "metadata.component", 0));
      // The subject without a version describes the list, not software on it.
      if (list.components.back().version.empty()) list.components.pop_back();
    }
  }
  if (auto* cs = o.if_contains("components")) MINATO_TRY(reader.list(*cs, "components", 0));
  if (list.components.empty()) {
    return fail(ErrorCode::kInvalidArgument, "the BOM lists no component", "file");
  }
  return list;
}

Result<SoftwareList> parse_software_list(std::string_view text, size_t max_components) {
  std::string_view t = text;
  if (t.starts_with("\xEF\xBB\xBF")) t.remove_prefix(3);
  size_t first = t.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && t[first] == '{') return parse_cyclonedx(t, max_components);
  return parse_dpkg_list(t, max_components);
}

std::string to_cyclonedx_json(const Bom& bom) {
  json::array components;
  for (const auto& c : bom.components) components.push_back(component_json(c));
  json::object doc{
      {"bomFormat", "CycloneDX"},
      {"specVersion", "1.5"},
      {"serialNumber", bom.serial},
      {"version", 1},
      {"metadata",
       json::object{{"timestamp", format_utc(bom.timestamp_us)},
                    {"tools", json::object{{"components", json::array{json::object{
                                                              {"type", "application"},
                                                              {"name", bom.subject.name},
                                                              {"version", bom.subject.version}}}}}},
                    {"component", component_json(bom.subject)}}},
      {"components", std::move(components)},
  };
  return json::serialize(doc);
}

std::string components_to_json(const std::vector<SoftwareComponent>& components) {
  json::array a;
  for (const auto& c : components) a.push_back(component_json(c));
  return json::serialize(a);
}

Result<std::vector<SoftwareComponent>> components_from_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return fail(ErrorCode::kDataLoss, "a stored software list is not JSON: " + ec.message());
  std::vector<SoftwareComponent> out;
  CdxReader reader{SIZE_MAX, out};
  MINATO_TRY(reader.list(v, "software", 0));
  // The properties carry the note and hashes the sha256; read them back too.
  const auto& a = v.as_array();
  for (size_t i = 0; i < a.size() && i < out.size(); ++i) {
    const auto& o = a[i].as_object();
    if (auto* h = o.if_contains("hashes"); h && h->is_array() && !h->as_array().empty()) {
      const auto& first = h->as_array()[0];
      if (first.is_object()) out[i].sha256 = string_at(first.as_object(), "content");
    }
    if (auto* p = o.if_contains("properties"); p && p->is_array() && !p->as_array().empty()) {
      const auto& first = p->as_array()[0];
      if (first.is_object()) out[i].note = string_at(first.as_object(), "value");
    }
  }
  return out;
}

}  // namespace minato::secops
