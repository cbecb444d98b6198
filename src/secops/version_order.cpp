#include "secops/version_order.h"

#include <apt-pkg/debversion.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

namespace minato::secops {

namespace {

bool numeric(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool identifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

// Numbers compare by value; without leading zeros (SemVer forbids them) longer is larger.
int compare_numeric(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

struct SemVer {
  std::vector<std::string_view> core;  // three numbers
  std::vector<std::string_view> pre;   // pre-release identifiers
};

std::optional<SemVer> parse_semver(std::string_view v) {
  if (!v.empty() && v.front() == 'v') v.remove_prefix(1);  // "v1.2.3", as some advisories write
  v = v.substr(0, v.find('+'));                            // build metadata: ignored
  SemVer s;
  size_t dash = v.find('-');
  s.core = split(v.substr(0, dash), '.');
  if (s.core.size() != 3) return std::nullopt;
  for (auto n : s.core) {
    if (!numeric(n) || (n.size() > 1 && n[0] == '0')) return std::nullopt;
  }
  if (dash != std::string_view::npos) {
    s.pre = split(v.substr(dash + 1), '.');
    for (auto p : s.pre) {
      if (!identifier(p)) return std::nullopt;
    }
  }
  return s;
}

}  // namespace

Ecosystem ecosystem_of_osv(std::string_view e) {
  if (e == "Debian" || e.starts_with("Debian:")) return Ecosystem::kDebian;
  if (e == "npm") return Ecosystem::kNpm;
  return Ecosystem::kOther;
}

Ecosystem ecosystem_of_purl(std::string_view purl) {
  if (purl.starts_with("pkg:deb/debian/")) return Ecosystem::kDebian;
  if (purl.starts_with("pkg:npm/")) return Ecosystem::kNpm;
  return Ecosystem::kOther;
}

int compare_debian_versions(std::string_view a, std::string_view b) {
  const int c = debVS.DoCmpVersion(a.data(), a.data() + a.size(), b.data(), b.data() + b.size());
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::optional<int> compare_semver(std::string_view a, std::string_view b) {
  auto x = parse_semver(a), y = parse_semver(b);
  if (!x || !y) return std::nullopt;
  for (size_t i = 0; i < 3; ++i) {
    if (int c = compare_numeric(x->core[i], y->core[i]); c != 0) return c;
  }
  // A pre-release is older than its release; identifiers compare one by one.
  if (x->pre.empty() || y->pre.empty()) {
    if (x->pre.empty() == y->pre.empty()) return 0;
    return x->pre.empty() ? 1 : -1;
  }
  for (size_t i = 0; i < x->pre.size() && i < y->pre.size(); ++i) {
    const auto p = x->pre[i], q = y->pre[i];
    const bool pn = numeric(p), qn = numeric(q);
    int c = 0;
    if (pn && qn) {
      c = compare_numeric(p, q);
    } else if (pn != qn) {
      c = pn ? -1 : 1;  // numeric identifiers are lower
    } else {
      c = p.compare(q);
      c = c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    if (c != 0) return c;
  }
  if (x->pre.size() == y->pre.size()) return 0;
  return x->pre.size() < y->pre.size() ? -1 : 1;
}

std::optional<int> compare_versions(Ecosystem e, std::string_view a, std::string_view b) {
  switch (e) {
    case Ecosystem::kDebian:
      if (a.empty() || b.empty()) return std::nullopt;
      return compare_debian_versions(a, b);
    case Ecosystem::kNpm:
      return compare_semver(a, b);
    case Ecosystem::kOther:
      break;
  }
  return std::nullopt;
}

}  // namespace minato::secops
