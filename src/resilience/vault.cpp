#include "resilience/vault.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>

#include "common/files.h"
#include "crypto/random.h"
#include "crypto/tls_cert.h"

namespace minato::resilience {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// A set more than this far ahead of the vault's clock is refused.
constexpr int64_t kFutureSlackUs = 10 * 60 * 1'000'000LL;

bool valid_target(std::string_view t) {
  return t == "database" || t == "config" || t == "logs" || t == "release";
}

// ---- libcurl source ----

size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<std::pair<std::string*, size_t>*>(user);
  if (sink->first->size() + size * n > sink->second) return 0;  // over the limit: abort
  sink->first->append(data, size * n);
  return size * n;
}

class HttpsSource final : public SetSource {
 public:
  explicit HttpsSource(HttpsSourceOptions o) : o_(std::move(o)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<std::string> get(const std::string& path, size_t max_bytes) override {
    CURL* c = curl_easy_init();
    if (c == nullptr) return fail(ErrorCode::kResourceExhausted, "cannot start a transfer");
    char errbuf[CURL_ERROR_SIZE] = {0};
    std::string body;
    std::pair<std::string*, size_t> sink{&body, max_bytes};
    std::string url = o_.base_url + path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!o_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, o_.ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_SSLCERT, o_.cert_file.c_str());
    curl_easy_setopt(c, CURLOPT_SSLKEY, o_.key_file.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(o_.timeout_s));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (rc == CURLE_WRITE_ERROR) {
      return fail(ErrorCode::kDataLoss,
                  url + ": the answer is larger than " + std::to_string(max_bytes) + " bytes");
    }
    if (rc != CURLE_OK) {
      return fail(ErrorCode::kUnavailable,
                  url + ": " + (errbuf[0] ? std::string(errbuf) : curl_easy_strerror(rc)));
    }
    if (status != 200) {
      return fail(status == 404 ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                  url + ": HTTP " + std::to_string(status) + " " + body.substr(0, 200));
    }
    return body;
  }

 private:
  HttpsSourceOptions o_;
};

}  // namespace

std::unique_ptr<SetSource> make_https_source(const HttpsSourceOptions& options) {
  return std::make_unique<HttpsSource>(options);
}

// ---- configuration ----

std::string vault_config_json(const VaultConfig& c) {
  return json::serialize(json::object{{"server", c.server},
                                      {"server_ca", c.server_ca},
                                      {"signer", c.signer},
                                      {"pull_minutes", c.pull_minutes},
                                      {"max_set_mib", c.max_set_mib},
                                      {"retention", json::object{{"last", c.policy.last},
                                                                 {"hourly", c.policy.hourly},
                                                                 {"daily", c.policy.daily},
                                                                 {"weekly", c.policy.weekly},
                                                                 {"monthly", c.policy.monthly}}}}) +
         "\n";
}

Result<VaultConfig> parse_vault_config(std::string_view text, const std::string& origin) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return fail(ErrorCode::kInvalidArgument, origin + " is not a JSON object");
  }
  const auto& o = v.as_object();
  VaultConfig c;
  auto str = [&](const char* k, std::string* into) -> Status {
    auto* x = o.if_contains(k);
    if (!x || !x->is_string()) {
      return fail(ErrorCode::kInvalidArgument, origin + ": '" + k + "' must be a string");
    }
    *into = std::string(x->as_string());
    return ok();
  };
  MINATO_TRY(str("server", &c.server));
  MINATO_TRY(str("server_ca", &c.server_ca));
  MINATO_TRY(str("signer", &c.signer));
  auto num = [&](const json::object& obj, const char* k, int* into) -> Status {
    auto* x = obj.if_contains(k);
    if (!x) return ok();
    if (!x->is_int64() || x->as_int64() < 0 || x->as_int64() > 100'000) {
      return fail(ErrorCode::kInvalidArgument, origin + ": '" + k + "' must be 0-100000");
    }
    *into = static_cast<int>(x->as_int64());
    return ok();
  };
  MINATO_TRY(num(o, "pull_minutes", &c.pull_minutes));
  MINATO_TRY(num(o, "max_set_mib", &c.max_set_mib));
  if (auto* r = o.if_contains("retention"); r && r->is_object()) {
    const auto& ro = r->as_object();
    MINATO_TRY(num(ro, "last", &c.policy.last));
    MINATO_TRY(num(ro, "hourly", &c.policy.hourly));
    MINATO_TRY(num(ro, "daily", &c.policy.daily));
    MINATO_TRY(num(ro, "weekly", &c.policy.weekly));
    MINATO_TRY(num(ro, "monthly", &c.policy.monthly));
  }
  MINATO_TRY(check_policy(c.policy));
  if (c.server.rfind("https://", 0) != 0) {
    return fail(ErrorCode::kInvalidArgument, origin + ": 'server' must be https://HOST:PORT");
  }
  auto raw = crypto::from_hex(c.signer);
  if (!raw || raw->size() != 32) {
    return fail(
        ErrorCode::kInvalidArgument,
        origin + ": 'signer' must be the 64-hex-digit public key `minato backup key` prints");
  }
  if (c.pull_minutes < 1) c.pull_minutes = 1;
  return c;
}

// ---- the vault ----

Result<std::string> Vault::init(const std::string& dir, const VaultConfig& config) {
  // Checks the configuration as open() will.
  auto checked = parse_vault_config(vault_config_json(config), "vault configuration");
  if (!checked) return fail(checked.error());
  MINATO_TRY(make_dir(dir, 0700, true));
  MINATO_TRY(make_dir(dir + "/tls", 0700, true));
  MINATO_TRY(make_dir(dir + "/sets", 0700, true));
  MINATO_TRY(make_dir(dir + "/recovery", 0700, true));
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  auto cert = crypto::make_self_signed_cert(std::string("minato-vault ") + host, {}, {});
  if (!cert) return fail(cert.error());
  MINATO_TRY(write_file_atomic(dir + "/tls/client.key", cert->key_pem, 0600));
  MINATO_TRY(write_file_atomic(dir + "/tls/client.pem", cert->cert_pem, 0600));
  MINATO_TRY(write_file_atomic(dir + "/vault.json", vault_config_json(config), 0600));
  return crypto::cert_fingerprint_sha256(cert->cert_pem);
}

Result<std::unique_ptr<Vault>> Vault::open(const std::string& dir, const Clock& clock) {
  auto text = read_file(dir + "/vault.json", 1 << 16);
  if (!text) {
    return fail(ErrorCode::kNotFound,
                dir + " is not a vault (no vault.json): create one with `minato vault init`");
  }
  auto c = parse_vault_config(*text, dir + "/vault.json");
  if (!c) return fail(c.error());
  std::unique_ptr<Vault> v(new Vault(dir, std::move(*c), clock));
  v->signer_ = *crypto::from_hex(v->config_.signer);
  return v;
}

HttpsSourceOptions Vault::source_options() const {
  HttpsSourceOptions o;
  o.base_url = config_.server;
  o.ca_file = config_.server_ca.empty() || config_.server_ca[0] == '/'
                  ? config_.server_ca
                  : dir_ + "/" + config_.server_ca;
  o.cert_file = dir_ + "/tls/client.pem";
  o.key_file = dir_ + "/tls/client.key";
  return o;
}

void Vault::log(const std::string& event, const std::string& subject, const std::string& detail) {
  std::string line = json::serialize(json::object{{"at", format_utc(clock_.now_us())},
                                                  {"event", event},
                                                  {"subject", subject},
                                                  {"detail", detail}}) +
                     "\n";
  int fd = ::open((dir_ + "/vault.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  ssize_t n = ::write(fd, line.data(), line.size());
  (void)n;
  ::fsync(fd);
  ::close(fd);
}

std::vector<HeldSet> Vault::held() const {
  std::vector<HeldSet> out;
  std::error_code ec;
  for (const auto& t : fs::directory_iterator(dir_ + "/sets", ec)) {
    std::string target = t.path().filename().string();
    if (!valid_target(target) || !t.is_directory(ec)) continue;
    for (const auto& s : fs::directory_iterator(t.path(), ec)) {
      std::string id = s.path().filename().string();
      if (!valid_set_id(id) || !s.is_directory(ec)) continue;
      HeldSet h{target, id, s.path().string(), set_time_us(id), 0};
      h.stored_bytes = fs::file_size(s.path() / std::string(kPayloadFile), ec);
      out.push_back(std::move(h));
    }
  }
  std::sort(out.begin(), out.end(), [](const HeldSet& a, const HeldSet& b) {
    return a.created_us != b.created_us ? a.created_us < b.created_us : a.id < b.id;
  });
  return out;
}

std::vector<std::string> Vault::check_all() const {
  std::vector<std::string> problems;
  for (const auto& h : held()) {
    auto m = read_verified_manifest(h.dir, signer_);
    if (!m) {
      problems.push_back(m.error().message());
      continue;
    }
    if (auto st = check_stored(h.dir, *m); !st) problems.push_back(st.error().message());
  }
  return problems;
}

void Vault::fetch_recovery(SetSource& source, const std::string& name, PullReport& report) {
  const std::string path = dir_ + "/recovery/backup-" + name + ".recovery";
  auto offered = source.get("/vault/v1/recovery/" + name, 1 << 16);
  if (!offered) return;  // not set up yet on the server: nothing to keep
  auto pub = read_recovery_public(*offered, "offered recovery file '" + name + "'");
  std::string problem;
  if (!pub) {
    problem = pub.error().message();
  } else if (pub->signer_public != signer_ || pub->name != name) {
    problem = "offered recovery file '" + name + "' names another signing key";
  }
  auto held = read_file(path, 1 << 16);
  if (held) {
    if (*held != *offered) {
      problem = "offered recovery file '" + name + "' differs from the one kept since first seen";
    } else {
      return;
    }
  }
  if (!problem.empty()) {
    ++report.refused;
    report.messages.push_back(problem);
    log("refused", "recovery/" + name, problem);
    return;
  }
  if (auto st = write_file_atomic(path, *offered, 0400); !st) {
    report.messages.push_back(st.error().message());
    return;
  }
  log("kept", "recovery/" + name, "first seen");
}

Status Vault::fetch_set(SetSource& source, const std::string& id, const std::string& target,
                        PullReport& report) {
  const std::string base = "/vault/v1/sets/" + id;
  auto manifest = source.get(base + "/manifest", 64u << 20);
  if (!manifest) return fail(manifest.error());
  auto sig = source.get(base + "/signature", 4096);
  if (!sig) return fail(sig.error());
  MINATO_TRY(verify_manifest_signature(*manifest, *sig, signer_, "set " + id));
  auto m = parse_manifest(*manifest, "set " + id);
  if (!m) return fail(m.error());
  if (m->set_id != id || m->target != target) {
    return fail(ErrorCode::kDataLoss, "set " + id + ": the manifest names " + m->set_id);
  }
  // Room for it: within the configured size, and leaving 1 GiB free on the vault's disk.
  const uint64_t size = m->stored_bytes();
  if (config_.max_set_mib > 0 && size > (uint64_t{1} << 20) * config_.max_set_mib) {
    return fail(ErrorCode::kResourceExhausted, "set " + id + " is " + std::to_string(size >> 20) +
                                                   " MiB, over max_set_mib (" +
                                                   std::to_string(config_.max_set_mib) + " MiB)");
  }
  struct statvfs fsinfo {};
  if (::statvfs(dir_.c_str(), &fsinfo) == 0) {
    const uint64_t free_bytes = uint64_t{fsinfo.f_bavail} * fsinfo.f_frsize;
    if (size + (uint64_t{1} << 30) > free_bytes) {
      return fail(ErrorCode::kResourceExhausted,
                  "no room for set " + id + " (" + std::to_string(size >> 20) + " MiB) in " + dir_ +
                      ": " + std::to_string(free_bytes >> 20) + " MiB free, 1 GiB is kept free");
    }
  }
  const std::string tdir = dir_ + "/sets/" + target;
  MINATO_TRY(make_dir(tdir, 0700, false));
  const std::string tmp = tdir + "/.incoming-" + id;
  remove_read_only_tree(tmp);
  MINATO_TRY(make_dir(tmp, 0700, true));
  auto st = [&]() -> Status {
    const std::string payload = tmp + "/" + std::string(kPayloadFile);
    int fd = ::open(payload.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return fail(ErrorCode::kUnavailable, "cannot create " + payload);
    auto body = [&]() -> Status {
      for (size_t i = 0; i < m->chunks.size(); ++i) {
        auto chunk = source.get(base + "/chunks/" + std::to_string(i), m->chunks[i].stored);
        if (!chunk) return fail(chunk.error());
        if (chunk->size() != m->chunks[i].stored) {
          return fail(ErrorCode::kDataLoss, "set " + id + ": chunk " + std::to_string(i) +
                                                " arrived with the wrong size");
        }
        std::string_view rest = *chunk;
        while (!rest.empty()) {
          ssize_t n = ::write(fd, rest.data(), rest.size());
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) return fail(ErrorCode::kResourceExhausted, "cannot write " + payload);
          rest.remove_prefix(static_cast<size_t>(n));
        }
        report.bytes += chunk->size();
      }
      return ::fsync(fd) == 0 ? ok() : fail(ErrorCode::kUnavailable, "cannot fsync " + payload);
    }();
    ::close(fd);
    MINATO_TRY(body);
    // The whole payload against the signed manifest, as it lies on the vault's disk.
    MINATO_TRY(check_stored(tmp, *m));
    MINATO_TRY(write_file_atomic(tmp + "/" + std::string(kManifestFile), *manifest, 0400));
    MINATO_TRY(write_file_atomic(tmp + "/" + std::string(kSignatureFile), *sig, 0400));
    ::chmod(payload.c_str(), 0400);
    const std::string final_dir = tdir + "/" + id;
    if (::rename(tmp.c_str(), final_dir.c_str()) != 0) {
      return fail(ErrorCode::kUnavailable, "cannot keep set " + id + " at " + final_dir);
    }
    ::chmod(final_dir.c_str(), 0500);
    return ok();
  }();
  if (!st) remove_read_only_tree(tmp);
  return st;
}

Result<PullReport> Vault::pull(SetSource& source) {
  PullReport report;
  auto listing = source.get("/vault/v1/sets", 16u << 20);
  if (!listing) {
    log("unreachable", config_.server, listing.error().message());
    return fail(listing.error());
  }
  boost::system::error_code ec;
  json::value v = json::parse(*listing, ec);
  if (ec || !v.is_object() || !v.as_object().contains("sets") ||
      !v.as_object().at("sets").is_array()) {
    return fail(ErrorCode::kDataLoss, "the server's list of sets is not what a vault expects");
  }
  for (const char* name : {"data", "keys"}) fetch_recovery(source, name, report);

  // Newest held per target: a set must be newer (a server cannot slip in back-dated sets
  // that would take the place of older generations in the retention buckets).
  std::map<std::string, int64_t> newest;
  std::map<std::string, bool> have;
  for (const auto& h : held()) {
    newest[h.target] = std::max(newest[h.target], h.created_us);
    have[h.target + "/" + h.id] = true;
  }
  std::vector<std::pair<std::string, std::string>> offered;
  for (const auto& e : v.as_object().at("sets").as_array()) {
    if (!e.is_object() || !e.as_object().contains("set") || !e.as_object().at("set").is_string()) {
      continue;
    }
    std::string id(e.as_object().at("set").as_string());
    if (!valid_set_id(id) || !valid_target(set_target(id))) {
      ++report.refused;
      report.messages.push_back("offered set '" + id.substr(0, 80) + "' has a bad name");
      continue;
    }
    offered.emplace_back(id, set_target(id));
  }
  std::sort(offered.begin(), offered.end());
  report.offered = static_cast<int>(offered.size());
  const int64_t now = clock_.now_us();
  for (const auto& [id, target] : offered) {
    if (have.count(target + "/" + id)) {
      ++report.already;
      continue;
    }
    const int64_t at = set_time_us(id);
    std::string problem;
    if (at > now + kFutureSlackUs) {
      problem = "set " + id + " is dated in the future (vault time " + format_utc(now) + ")";
    } else if (newest.count(target) && at <= newest[target]) {
      // Older sets than the newest held are not taken: either pruned here already, or a
      // back-dated set. Not an error worth a message for sets we pruned ourselves.
      continue;
    }
    if (problem.empty()) {
      if (auto st = fetch_set(source, id, target, report); !st) {
        problem = st.error().message();
      } else {
        ++report.pulled;
        newest[target] = at;
        log("pulled", id, "");
        continue;
      }
    }
    ++report.refused;
    report.messages.push_back(problem);
    log("refused", id, problem);
  }
  auto pruned = retain();
  if (!pruned) return fail(pruned.error());
  report.pruned = *pruned;
  // What the vault keeps, told to the server for its compliance check (G2.7.2-c): the policy
  // and, per target, how many sets and the oldest one's time. A server that does not take it
  // (older, or refusing) changes nothing here.
  std::map<std::string, std::pair<int, int64_t>> kept;
  for (const auto& h : held()) {
    auto& k = kept[h.target];
    ++k.first;
    k.second = k.second == 0 ? h.created_us : std::min(k.second, h.created_us);
  }
  const auto& pol = config_.policy;
  std::string q = "keep=" + std::to_string(pol.last) + "." + std::to_string(pol.hourly) + "." +
                  std::to_string(pol.daily) + "." + std::to_string(pol.weekly) + "." +
                  std::to_string(pol.monthly);
  for (const auto& [target, k] : kept) {
    q += "&" + target + "=" + std::to_string(k.first) + "." + std::to_string(k.second);
  }
  if (auto told = source.get("/vault/v1/report?" + q, 4096); !told) {
    log("report", config_.server, told.error().message());
  }
  return report;
}

Result<int> Vault::retain() {
  std::map<std::string, std::vector<Generation>> by_target;
  std::map<std::string, std::string> dirs;
  for (const auto& h : held()) {
    by_target[h.target].push_back({h.id, h.created_us});
    dirs[h.id] = h.dir;
  }
  int removed = 0;
  for (const auto& [target, gens] : by_target) {
    auto plan = plan_retention(gens, config_.policy);
    for (const auto& id : plan.drop) {
      remove_read_only_tree(dirs[id]);
      if (fs::exists(dirs[id])) {
        return fail(ErrorCode::kUnavailable, "cannot remove " + dirs[id]);
      }
      log("pruned", id, "retention");
      ++removed;
    }
  }
  return removed;
}

}  // namespace minato::resilience
