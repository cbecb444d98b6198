#include "secops/release.h"

#include <boost/json.hpp>

#include <cctype>

#include "crypto/random.h"

namespace minato::secops {

namespace json = boost::json;

namespace {

Error bad(const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, std::string(kManifestName) + ": " + what, "manifest");
}

bool plain_name(std::string_view n) {
  if (n.empty() || n.size() > 255 || n == "." || n == "..") return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_' &&
        c != '+') {
      return false;
    }
  }
  return true;
}

bool lower_hex(std::string_view h, size_t size) {
  return h.size() == size && h.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::vector<uint64_t> parts(std::string_view v) {
  std::vector<uint64_t> out;
  uint64_t cur = 0;
  for (char c : v) {
    if (c == '.') {
      out.push_back(cur);
      cur = 0;
    } else {
      cur = cur * 10 + static_cast<uint64_t>(c - '0');
    }
  }
  out.push_back(cur);
  return out;
}

}  // namespace

Status check_release_version(std::string_view v) {
  int dots = 0;
  size_t digits = 0;
  for (char c : v) {
    if (c == '.') {
      if (digits == 0) break;
      ++dots;
      digits = 0;
    } else if (std::isdigit(static_cast<unsigned char>(c)) && digits < 9) {
      ++digits;
    } else {
      digits = 0;
      break;
    }
  }
  if (dots != 2 || digits == 0) {
    return fail(
        ErrorCode::kInvalidArgument,
        "'" + std::string(v.substr(0, 40)) + "' is not a release version (MAJOR.MINOR.PATCH)",
        "version");
  }
  return ok();
}

int compare_release_versions(std::string_view a, std::string_view b) {
  auto pa = parts(a), pb = parts(b);
  for (size_t i = 0; i < 3; ++i) {
    if (pa[i] != pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return 0;
}

std::string manifest_json(const ReleaseManifest& m) {
  json::array artefacts;
  for (const auto& a : m.artefacts) {
    artefacts.push_back(json::object{{"name", a.name}, {"size", a.size}, {"sha256", a.sha256}});
  }
  return json::serialize(json::object{{"product", m.product},
                                      {"version", m.version},
                                      {"created", m.created},
                                      {"artefacts", std::move(artefacts)}}) +
         "\n";
}

Result<ReleaseManifest> parse_manifest(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return fail(bad("not valid JSON: " + ec.message()));
  if (!v.is_object()) return fail(bad("not a JSON object"));
  const auto& o = v.as_object();
  auto str = [&](std::string_view key) -> std::string {
    auto* f = o.if_contains(key);
    return f && f->is_string() ? std::string(f->as_string()) : std::string();
  };
  ReleaseManifest m;
  m.product = str("product");
  m.version = str("version");
  m.created = str("created");
  if (m.product != "minato") return fail(bad("product is not \"minato\""));
  if (auto st = check_release_version(m.version); !st) return fail(bad(st.error().message()));
  auto* list = o.if_contains("artefacts");
  if (list == nullptr || !list->is_array() || list->as_array().empty()) {
    return fail(bad("no artefacts listed"));
  }
  if (list->as_array().size() > 1000) return fail(bad("more than 1000 artefacts"));
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    const auto& e = list->as_array()[i];
    const std::string at = "artefacts[" + std::to_string(i) + "]";
    if (!e.is_object()) return fail(bad(at + " is not an object"));
    const auto& eo = e.as_object();
    ReleaseArtefact a;
    if (auto* n = eo.if_contains("name"); n && n->is_string()) a.name = n->as_string();
    if (auto* h = eo.if_contains("sha256"); h && h->is_string()) a.sha256 = h->as_string();
    auto* size = eo.if_contains("size");
    if (!plain_name(a.name)) return fail(bad(at + ".name is not a plain file name"));
    if (!lower_hex(a.sha256, 64)) return fail(bad(at + ".sha256 is not 64 lower-case hex digits"));
    if (size == nullptr || !(size->is_uint64() || size->is_int64()) ||
        (size->is_int64() && size->as_int64() < 0)) {
      return fail(bad(at + ".size is not a byte count"));
    }
    a.size = size->is_uint64() ? size->as_uint64() : static_cast<uint64_t>(size->as_int64());
    for (const auto& earlier : m.artefacts) {
      if (earlier.name == a.name) return fail(bad(at + " names " + a.name + " a second time"));
    }
    m.artefacts.push_back(std::move(a));
  }
  return m;
}

std::string sums_text(const ReleaseManifest& m) {
  std::string out;
  for (const auto& a : m.artefacts) out += a.sha256 + "  " + a.name + "\n";
  return out;
}

std::string sign_manifest(const crypto::SigningKey& key, std::string_view manifest) {
  return "ed25519 " + crypto::to_hex(key.public_key()) + " " + crypto::to_hex(key.sign(manifest)) +
         "\n";
}

Result<ReleaseManifest> verify_manifest(std::string_view manifest, std::string_view signature_file,
                                        const std::vector<std::string>& trusted_keys) {
  auto refuse = [](const std::string& why) {
    return fail(ErrorCode::kPermissionDenied, std::string(kSignatureName) + ": " + why,
                "signature");
  };
  std::string_view s = signature_file;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  // "ed25519 <64 hex> <128 hex>", lower-case, exactly.
  if (s.size() != 8 + 64 + 1 + 128 || !s.starts_with("ed25519 ") || s[8 + 64] != ' ' ||
      !lower_hex(s.substr(8, 64), 64) || !lower_hex(s.substr(8 + 65), 128)) {
    return refuse("not a signature line (ed25519 <public key hex> <signature hex>)");
  }
  const std::string key_hex(s.substr(8, 64));
  bool trusted = false;
  for (const auto& k : trusted_keys) trusted = trusted || k == key_hex;
  if (trusted_keys.empty()) {
    return refuse("no release key is trusted here (set upgrade.release_keys in minato.toml)");
  }
  if (!trusted) {
    return refuse("signed by key " + key_hex + ", which is not in upgrade.release_keys");
  }
  auto key = crypto::from_hex(key_hex);
  auto sig = crypto::from_hex(s.substr(8 + 65));
  if (!key || !sig || !crypto::SigningKey::verify(*key, manifest, *sig)) {
    return refuse("the signature by key " + key_hex +
                  " does not verify: " + std::string(kManifestName) + " is not as it was signed");
  }
  auto m = parse_manifest(manifest);
  if (!m) return fail(m.error());
  m->signer = key_hex;
  return m;
}

Result<ReleaseArtefact> check_artefact(const ReleaseManifest& m, std::string_view name,
                                       std::string_view bytes) {
  for (const auto& a : m.artefacts) {
    if (a.name != name) continue;
    if (a.size != bytes.size()) {
      return fail(ErrorCode::kDataLoss, a.name + " is " + std::to_string(bytes.size()) +
                                            " bytes; the signed manifest says " +
                                            std::to_string(a.size));
    }
    const std::string sum = crypto::to_hex(crypto::sha256(bytes));
    if (sum != a.sha256) {
      return fail(ErrorCode::kDataLoss,
                  a.name + " has SHA-256 " + sum + "; the signed manifest says " + a.sha256);
    }
    return a;
  }
  return fail(ErrorCode::kNotFound,
              std::string(name) + " is not an artefact of release " + m.version, "file");
}

}  // namespace minato::secops
