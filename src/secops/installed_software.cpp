#include "secops/installed_software.h"

#include <link.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/files.h"
#include "common/subprocess.h"
#include "crypto/random.h"

namespace minato::secops {

namespace {

int collect(dl_phdr_info* info, size_t, void* data) {
  auto* out = static_cast<std::vector<std::string>*>(data);
  // The executable has an empty name; the vDSO a name that is no file.
  if (info->dlpi_name != nullptr && info->dlpi_name[0] == '/') out->emplace_back(info->dlpi_name);
  return 0;
}

// The names a file may be registered under with dpkg: as given, resolved, and with the merged
// /usr's aliases (/lib/x.so is /usr/lib/x.so).
std::vector<std::string> aliases(const std::string& path) {
  std::vector<std::string> out{path};
  std::error_code ec;
  auto real = std::filesystem::canonical(path, ec);
  if (!ec && real.string() != path) out.push_back(real.string());
  const size_t n = out.size();
  for (size_t i = 0; i < n; ++i) {
    const std::string p = out[i];
    for (std::string_view dir : {"/lib/", "/lib64/", "/bin/", "/sbin/"}) {
      if (p.starts_with(dir)) out.push_back("/usr" + p);
      if (p.starts_with("/usr" + std::string(dir))) out.push_back(p.substr(4));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::vector<std::string> loaded_objects() {
  std::vector<std::string> out;
  dl_iterate_phdr(collect, &out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<SoftwareComponent>> debian_packages_owning(const std::vector<std::string>& paths,
                                                              const std::string& why,
                                                              const std::string& dpkg_query) {
  std::vector<std::string> argv{dpkg_query, "-S"};
  std::map<std::string, std::vector<std::string>> names_of;  // path -> its aliases
  for (const auto& p : paths) {
    names_of[p] = aliases(p);
    for (const auto& a : names_of[p]) argv.push_back(a);
  }
  if (paths.empty()) return std::vector<SoftwareComponent>{};
  auto r = run_program(argv, 60'000, 8 << 20);
  if (!r) return fail(r.error());
  // "libssl3:amd64: /usr/lib/x86_64-linux-gnu/libssl.so.3", or "a, b: /path" when several
  // packages share a directory; "diversion by ..." and "dpkg-query: no path found ..." skipped.
  std::map<std::string, std::vector<std::string>> owners;  // registered path -> packages
  std::istringstream lines(r->output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("dpkg-query:") || line.starts_with("diversion ")) continue;
    size_t sep = line.find(": /");
    if (sep == std::string::npos) continue;
    std::string path = line.substr(sep + 2);
    std::string list = line.substr(0, sep);
    std::vector<std::string> pkgs;
    for (size_t start = 0; start <= list.size();) {
      size_t comma = list.find(", ", start);
      pkgs.push_back(list.substr(start, comma == std::string::npos ? comma : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 2;
    }
    owners[path] = pkgs;
  }
  if (r->exit_status != 0 && r->exit_status != 1) {
    return fail(ErrorCode::kUnavailable,
                dpkg_query + " -S failed (exit status " + std::to_string(r->exit_status) + ")");
  }
  std::map<std::string, std::vector<std::string>> files_of;  // package -> the paths it owns
  std::vector<SoftwareComponent> unowned;
  for (const auto& p : paths) {
    const std::vector<std::string>* found = nullptr;
    for (const auto& a : names_of[p]) {
      if (auto it = owners.find(a); it != owners.end()) {
        found = &it->second;
        break;
      }
    }
    if (found == nullptr) {
      SoftwareComponent c;
      c.type = "file";
      c.name = std::filesystem::path(p).filename().string();
      c.note = why + ": " + p + " (owned by no Debian package)";
      if (auto m = MappedFile::open(p)) c.sha256 = crypto::to_hex(crypto::sha256(m->bytes()));
      unowned.push_back(std::move(c));
      continue;
    }
    for (const auto& pkg : *found) files_of[pkg].push_back(p);
  }
  std::vector<SoftwareComponent> out;
  if (!files_of.empty()) {
    std::vector<std::string> query{dpkg_query, "-W",
                                   "-f=${binary:Package}\t${Version}\t${Architecture}\t${source:"
                                   "Package}\t${source:Version}\n"};
    for (const auto& [pkg, files] : files_of) query.push_back(pkg);
    auto w = run_program(query, 60'000, 8 << 20);
    if (!w) return fail(w.error());
    if (w->exit_status != 0) {
      return fail(ErrorCode::kUnavailable, dpkg_query + " -W failed (exit status " +
                                               std::to_string(w->exit_status) +
                                               "): " + w->output.substr(0, 300));
    }
    auto list = parse_dpkg_list(w->output, 100'000);
    if (!list) return fail(ErrorCode::kInternal, "dpkg-query -W: " + list.error().message());
    for (auto& c : list->components) {
      // The package was queried as "name:arch" or "name"; find its files under either.
      std::vector<std::string> files;
      for (const auto& key : {c.name + ":" + c.arch, c.name}) {
        if (auto it = files_of.find(key); it != files_of.end()) {
          files = it->second;
          break;
        }
      }
      std::string note = why + ":";
      for (size_t i = 0; i < files.size(); ++i) note += (i == 0 ? " " : ", ") + files[i];
      c.note = note;
      out.push_back(std::move(c));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const SoftwareComponent& a, const SoftwareComponent& b) { return a.name < b.name; });
  out.insert(out.end(), unowned.begin(), unowned.end());
  return out;
}

SoftwareComponent debian_release() {
  SoftwareComponent c;
  std::ifstream in("/etc/debian_version");
  std::string version;
  if (!in || !std::getline(in, version) || version.empty()) return c;
  c.type = "operating-system";
  c.name = "debian";
  c.version = version;
  c.supplier = "Debian";
  c.cpe =
      "cpe:2.3:o:debian:debian_linux:" + version.substr(0, version.find('.')) + ":*:*:*:*:*:*:*";
  c.note = "the host's operating system (/etc/debian_version)";
  return c;
}

}  // namespace minato::secops
