// Matching a full advisory ecosystem against the inventory (G2.7.5; target: tens of thousands of
// OSV advisories against 5,000 installed packages in <= 2 s), against references measured in
// the same run:
//   - the least any matcher must do: one libapt-pkg comparison of each installed version with
//     each bound of its own package's advisories, nothing else (no index, no JSON, no store);
//   - the same matching without the index: every advisory scanned for every package.
// And the whole of `minato vuln match` as it runs on a data directory: the advisories and the
// software list read from the store, decoded, matched, the findings compared and written.
//
// The feed is generated to OSV's schema (Debian:12 records, source packages, ECOSYSTEM ranges
// with introduced/fixed, some open-ended), over this machine's own source packages and
// versions (dpkg-query) topped up with generated ones to 5,000.
//
//   build/release/bench/vuln_match_bench
#include <benchmark/benchmark.h>
#include <zip.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "app/runtime.h"
#include "app/setup.h"
#include "common/files.h"
#include "common/subprocess.h"
#include "secops/advisory.h"
#include "secops/feed_archive.h"
#include "secops/sbom.h"
#include "secops/vuln_match.h"
#include "testing/test_env.h"

namespace {

using namespace minato;

constexpr size_t kPackages = 5'000;
constexpr size_t kAdvisories = 40'000;

struct Corpus {
  std::vector<secops::SoftwareComponent> installed;  // with source package and version
  std::vector<secops::Advisory> advisories;
  std::vector<std::string> records;  // each advisory as one OSV record
  std::string feed_json;             // the same advisories as an OSV array
  std::string all_zip;               // ... and as OSV's all.zip (one record per entry)
};

// This machine's packages (source name and version), then generated ones up to kPackages.
std::vector<secops::SoftwareComponent> inventory() {
  std::vector<secops::SoftwareComponent> out;
  auto r = run_program({"/usr/bin/dpkg-query", "-W",
                        "-f=${binary:Package}\t${Version}\t${Architecture}\t${source:Package}\t"
                        "${source:Version}\n"},
                       60'000, 64 << 20);
  if (r && r->exit_status == 0) {
    if (auto l = secops::parse_dpkg_list(r->output, 100'000)) out = l->components;
  }
  if (out.size() > kPackages) out.resize(kPackages);
  for (size_t i = out.size(); i < kPackages; ++i) {
    secops::SoftwareComponent c;
    c.name = "libgen" + std::to_string(i);
    c.version = std::to_string(1 + i % 9) + "." + std::to_string(i % 17) + "-" +
                std::to_string(1 + i % 3) + "+deb12u" + std::to_string(i % 5);
    c.purl = secops::debian_purl(c.name, c.version, "amd64");
    out.push_back(std::move(c));
  }
  return out;
}

// The records as OSV's all.zip (deflated, one "<id>.json" per record), made with libzip.
std::string zip_of(const std::vector<secops::Advisory>& advisories,
                   const std::vector<std::string>& records) {
  const minato::testing::TempDir dir;
  const std::string path = dir.file("all.zip");
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (z == nullptr) std::abort();
  for (size_t i = 0; i < records.size(); ++i) {
    zip_source_t* src = zip_source_buffer(z, records[i].data(), records[i].size(), 0);
    if (src == nullptr || zip_file_add(z, (advisories[i].id + ".json").c_str(), src, 0) < 0) {
      std::abort();
    }
  }
  if (zip_close(z) != 0) std::abort();
  auto bytes = read_file(path, size_t{1} << 30);
  if (!bytes) std::abort();
  return *bytes;
}

const Corpus& corpus() {
  static Corpus* c = [] {
    auto* x = new Corpus;
    x->installed = inventory();
    std::mt19937 rng(20261207);
    std::vector<std::string> sources;
    for (const auto& p : x->installed) {
      sources.push_back(p.source.empty() ? p.name : p.source);
    }
    for (size_t i = 0; i < kAdvisories; ++i) {
      const auto& p = x->installed[rng() % x->installed.size()];
      const std::string version = p.source_version.empty() ? p.version : p.source_version;
      secops::Advisory a;
      a.id = "DEBIAN-CVE-2026-" + std::to_string(10'000 + i);
      a.aliases = {"CVE-2026-" + std::to_string(10'000 + i)};
      a.modified = "2026-12-01T00:00:00Z";
      a.summary = "generated to OSV's schema";
      secops::AffectedPackage ap;
      ap.ecosystem = "Debian:12";
      ap.name = sources[&p - x->installed.data()];
      // A third fixed before the installed version, a third after, a third not fixed.
      switch (rng() % 3) {
        case 0:
          ap.ranges.push_back({"0", "0.1-1", ""});
          break;
        case 1:
          ap.ranges.push_back({"0", version + "+deb12u99", ""});
          break;
        default:
          ap.ranges.push_back({"0", "", ""});
          break;
      }
      a.affected.push_back(std::move(ap));
      x->advisories.push_back(std::move(a));
    }
    std::string feed = "[";
    for (size_t i = 0; i < x->advisories.size(); ++i) {
      const auto& a = x->advisories[i];
      const auto& r = a.affected[0].ranges[0];
      x->records.push_back(std::string("{\"id\":\"") + a.id + "\",\"modified\":\"" + a.modified +
                           "\",\"aliases\":[\"" + a.aliases[0] +
                           "\"],\"affected\":[{\"package\":{\"ecosystem\":"
                           "\"Debian:12\",\"name\":\"" +
                           a.affected[0].name +
                           "\"},\"ranges\":[{\"type\":"
                           "\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}" +
                           (r.fixed.empty() ? "" : ",{\"fixed\":\"" + r.fixed + "\"}") + "]}]}]}");
      feed += (i ? "," : "") + x->records.back();
    }
    x->feed_json = feed + "]";
    x->all_zip = zip_of(x->advisories, x->records);
    return x;
  }();
  return *c;
}

secops::InstalledPackage installed(const secops::SoftwareComponent& c) {
  return {secops::Ecosystem::kDebian, c.name, c.version, c.source, c.source_version, "12"};
}

// The engine: the index built, every installed package matched.
void BM_IndexAndMatch(benchmark::State& state) {
  const auto& c = corpus();
  size_t matches = 0;
  for (auto _ : state) {
    secops::AdvisoryIndex index(c.advisories);
    matches = 0;
    for (const auto& p : c.installed) matches += index.match(installed(p)).size();
    benchmark::DoNotOptimize(matches);
  }
  state.counters["packages"] = static_cast<double>(c.installed.size());
  state.counters["advisories"] = static_cast<double>(c.advisories.size());
  state.counters["matches"] = static_cast<double>(matches);
}
BENCHMARK(BM_IndexAndMatch)->Unit(benchmark::kMillisecond)->Iterations(5);

// Reference: the comparisons alone (each advisory's bounds against its own package's version).
void BM_Reference_ComparisonsOnly(benchmark::State& state) {
  const auto& c = corpus();
  std::vector<std::string> version_of(c.advisories.size());
  std::unordered_map<std::string, std::string> by_source;
  for (const auto& p : c.installed) {
    by_source[p.source.empty() ? p.name : p.source] =
        p.source_version.empty() ? p.version : p.source_version;
  }
  for (size_t i = 0; i < c.advisories.size(); ++i)
    version_of[i] = by_source[c.advisories[i].affected[0].name];
  for (auto _ : state) {
    size_t n = 0;
    for (size_t i = 0; i < c.advisories.size(); ++i) {
      const auto& r = c.advisories[i].affected[0].ranges[0];
      if (!r.fixed.empty()) n += secops::compare_debian_versions(version_of[i], r.fixed) < 0;
    }
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_Reference_ComparisonsOnly)->Unit(benchmark::kMillisecond)->Iterations(5);

// Reference: no index — every advisory looked at for every package (50 packages here; the time
// for all 5,000 is 100 times it).
void BM_Reference_NoIndex(benchmark::State& state) {
  const auto& c = corpus();
  constexpr size_t kSample = 50;
  for (auto _ : state) {
    size_t n = 0;
    for (size_t k = 0; k < kSample; ++k) {
      const auto& p = c.installed[k];
      const std::string& name = p.source.empty() ? p.name : p.source;
      const std::string& version = p.source_version.empty() ? p.version : p.source_version;
      for (const auto& a : c.advisories) {
        for (const auto& ap : a.affected) {
          if (ap.name != name) continue;
          for (const auto& r : ap.ranges)
            n += secops::in_range(secops::Ecosystem::kDebian, version, r);
        }
      }
    }
    benchmark::DoNotOptimize(n);
  }
  state.counters["sample_packages"] = kSample;  // times kPackages / kSample for all of them
}
BENCHMARK(BM_Reference_NoIndex)->Unit(benchmark::kMillisecond)->Iterations(3);

// Taking the feed in: the OSV array parsed and checked (what an import does before the store).
void BM_ParseFeed(benchmark::State& state) {
  const auto& c = corpus();
  for (auto _ : state) {
    auto f = secops::parse_feed(c.feed_json, 500'000);
    if (!f || f->advisories.size() != kAdvisories) std::abort();
  }
  state.counters["MB"] = static_cast<double>(c.feed_json.size()) / 1e6;
}
BENCHMARK(BM_ParseFeed)->Unit(benchmark::kMillisecond)->Iterations(3);

// Taking OSV's all.zip in: the directory checked against the limits (what the intake does
// before the scan), then every entry inflated, CRC-checked and parsed as one record.
void BM_ReadOsvArchive(benchmark::State& state) {
  const auto& c = corpus();
  for (auto _ : state) {
    auto n = secops::check_feed_archive(c.all_zip, secops::ArchiveLimits{});
    auto f = secops::read_osv_archive(c.all_zip, secops::ArchiveLimits{});
    if (!n || !f || f->advisories.size() != kAdvisories) std::abort();
  }
  state.counters["zip_MB"] = static_cast<double>(c.all_zip.size()) / 1e6;
}
BENCHMARK(BM_ReadOsvArchive)->Unit(benchmark::kMillisecond)->Iterations(3);

// `minato vuln match` on a data directory: store read, decode, match, findings compared (and,
// the first time, written: timed separately and printed).
struct World {
  testing::TempDir dir;
  std::unique_ptr<app::Runtime> rt;
};

World& world() {
  static World* w = [] {
    auto* x = new World;
    const std::string data = x->dir.path() + "/data";
    if (!app::initialise(app::InitSpec(data, "admin", "Vq7#rT2m!xK9-harbour"))) std::abort();
    x->rt = std::move(*app::Runtime::open(data));
    const auto& c = corpus();
    auto st = x->rt->writes().execute_status(
        access::Actor::local_operator(), {"bench.setup", "bench", access::Permission::kNone},
        [&](store::WriteTxn& tx, app::Effects& fx) -> Status {
          store::AssetRecord a;
          a.tag = "SRV-01";
          a.kind = "server";
          a.name = "bench";
          a.state = "in_service";
          a.created_us = a.updated_us = fx.now_us;
          a.updated_by = "bench";
          auto id = tx.insert_asset(a);
          if (!id) return fail(id.error());
          store::SoftwareListRecord l{*id,
                                      0,
                                      "dpkg-query",
                                      "bench",
                                      static_cast<int64_t>(c.installed.size()),
                                      secops::components_to_json(c.installed),
                                      fx.now_us,
                                      "bench"};
          MINATO_TRY(tx.put_software_list(l));
          for (const auto& adv : c.advisories) {
            MINATO_TRY(tx.put_advisory({adv.id, 1, adv.modified, "", adv.summary, "",
                                        adv.aliases[0], secops::affected_to_json(adv.affected)}));
          }
          return ok();
        });
    if (!st) {
      std::fprintf(stderr, "setup: %s\n", st.error().message().c_str());
      std::abort();
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto first = x->rt->vulnerabilities().rematch(access::Actor::local_operator());
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!first) std::abort();
    std::fprintf(stderr, "first match (findings written): %zu opened in %.0f ms\n",
                 first->opened.size(), ms);
    return x;
  }();
  return *w;
}

void BM_VulnMatchCommand(benchmark::State& state) {
  auto& w = world();
  int open = 0;
  for (auto _ : state) {
    auto m = w.rt->vulnerabilities().rematch(access::Actor::local_operator());
    if (!m) std::abort();
    open = m->open;
  }
  state.counters["open_findings"] = open;
}
BENCHMARK(BM_VulnMatchCommand)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
