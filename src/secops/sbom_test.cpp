// Software lists and release artefacts (G2.6.1-b, G2.7.4, A1.3.4): the parsers name the line
// or JSON path of what they refuse; a signed release verifies only unaltered and only with a
// trusted key.
#include <gtest/gtest.h>

#include <cctype>

#include "crypto/random.h"

#include "secops/release.h"
#include "secops/sbom.h"

namespace minato::secops {
namespace {

TEST(Purl, DebianAndNpmAsTheSpecEncodesThem) {
  EXPECT_EQ(debian_purl("libstdc++6", "12.2.0-14+deb12u1", "amd64"),
            "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?arch=amd64");
  EXPECT_EQ(debian_purl("zlib1g", "1:1.2.13.dfsg-1", ""),
            "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1");
  EXPECT_EQ(npm_purl("@lit/reactive-element", "2.1.2"), "pkg:npm/%40lit/reactive-element@2.1.2");
  EXPECT_EQ(*purl_decode("1%3A1.2.13%2Bdfsg"), "1:1.2.13+dfsg");
  EXPECT_FALSE(purl_decode("1%3"));
  EXPECT_FALSE(purl_decode("%zz"));
}

TEST(SoftwareList, G2_6_1_b_DpkgQueryOutputInItsForms) {
  auto l = parse_software_list(
      "libc6\t2.36-9+deb12u9\tamd64\r\n"
      "zlib1g:amd64\t1:1.2.13.dfsg-1\n"
      "\n"
      "removed-pkg\t\n"  // known to dpkg, not installed
      "tzdata\t2024a-0+deb12u1\tall\n",
      100);
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->format, "dpkg-query");
  ASSERT_EQ(l->components.size(), 3u);
  EXPECT_EQ(l->components[0].purl, "pkg:deb/debian/libc6@2.36-9%2Bdeb12u9?arch=amd64");
  EXPECT_EQ(l->components[1].name, "zlib1g");
  EXPECT_EQ(l->components[1].arch, "amd64");
  EXPECT_EQ(l->components[1].version, "1:1.2.13.dfsg-1");
  EXPECT_EQ(l->components[2].arch, "all");

  // With the source package and its version (Debian's advisories name sources).
  auto src = parse_software_list(
      "libc6\t2.36-9+deb12u9\tamd64\tglibc\t2.36-9+deb12u9\n"
      "libgmp10\t2:6.2.1+dfsg1-1.1\tamd64\tgmp\t2:6.2.1+dfsg1-1.1\n"
      "libssl3\t3.0.15-1~deb12u1+b1\tamd64\topenssl\t3.0.15-1~deb12u1\n"
      "bash\t5.2.15-2+b7\tamd64\tbash\t5.2.15-2\n",
      100);
  ASSERT_TRUE(src) << src.error().message();
  EXPECT_EQ(src->components[0].source, "glibc");
  EXPECT_EQ(src->components[0].source_version, "");  // the same as the binary's
  EXPECT_EQ(src->components[0].purl,
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u9?arch=amd64&upstream=glibc");
  EXPECT_EQ(src->components[2].purl,
            "pkg:deb/debian/"
            "libssl3@3.0.15-1~deb12u1%2Bb1?arch=amd64&upstream=openssl%403.0.15-1~deb12u1");
  EXPECT_EQ(src->components[3].source, "");  // bash from bash
  EXPECT_EQ(src->components[3].source_version, "5.2.15-2");

  auto dl = parse_software_list(
      "Desired=Unknown/Install/Remove/Purge/Hold\n"
      "| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n"
      "|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n"
      "||/ Name           Version      Architecture Description\n"
      "+++-==============-============-============-=================\n"
      "ii  adduser        3.134        all          add and remove users and groups\n"
      "rc  old-thing      1.0-1        amd64        gone, its configuration left\n"
      "hi  openssl        3.0.15-1~deb12u1 amd64    Secure Sockets Layer toolkit\n",
      100);
  ASSERT_TRUE(dl) << dl.error().message();
  EXPECT_EQ(dl->format, "dpkg-l");
  ASSERT_EQ(dl->components.size(), 2u);
  EXPECT_EQ(dl->components[1].version, "3.0.15-1~deb12u1");
}

TEST(SoftwareList, G2_6_1_b_BadLinesAreNamed) {
  struct Case {
    std::string text;
    std::string says;
  };
  for (const Case& c : {
           Case{"libc6\t2.36\tamd64\nLibBad\t1.0\n",
                "line 2: 'LibBad' is not a Debian package name"},
           Case{"libc6\t2.36\nzlib1g\tv1 beta\n", "line 2: 'v1 beta' is not a Debian version"},
           Case{"libc6\t2.36\tamd64\tglibc\t2.36\tx\n", "line 1: expected name, version"},
           Case{"libc6\t2.36\tamd64\tGlibc\n",
                "line 1: 'Glibc' is not a Debian source package name"},
           Case{"libc6\t2.36\tAMD64\n", "line 1: 'AMD64' is not a Debian architecture"},
           Case{"libc6\t:1\n", "line 1: ':1' is not a Debian version"},
           Case{"libc6\t1:\n", "line 1: '1:' is not a Debian version"},  // found by fuzzing
           Case{"\n\n", "no installed package listed"},
           Case{"a1\t1\nb1\t1\nc1\t1\n", "line 3: more than 2 packages"},
       }) {
    auto l = parse_software_list(c.text, 2);
    ASSERT_FALSE(l) << c.text;
    EXPECT_NE(l.error().message().find(c.says), std::string::npos) << l.error().message();
  }
}

TEST(SoftwareList, G2_7_4_CycloneDxRoundTrip) {
  Bom bom;
  bom.serial = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79";
  bom.timestamp_us = 1'765'000'000'000'000;
  bom.subject = {
      "application",        "minato", "0.1.0", "", "pkg:generic/minato@0.1.0", "", "Minato",
      std::string(64, 'a'), "",       "",      ""};
  bom.components.push_back({"library", "libssl3", "3.0.15-1~deb12u1", "amd64",
                            debian_purl("libssl3", "3.0.15-1~deb12u1", "amd64", "openssl"), "",
                            "Debian", "", "linked: /usr/lib/x86_64-linux-gnu/libssl.so.3",
                            "openssl", ""});
  bom.components.push_back(
      {"library", "lit", "3.3.3", "", npm_purl("lit", "3.3.3"), "", "npm", "", "", "", ""});
  const std::string text = to_cyclonedx_json(bom);
  EXPECT_NE(text.find("\"specVersion\":\"1.5\""), std::string::npos);
  EXPECT_NE(text.find("\"timestamp\":\"2025-12-06T05:46:40Z\""), std::string::npos) << text;
  auto back = parse_software_list(text, 100);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->format, "cyclonedx");
  ASSERT_EQ(back->components.size(), 3u);  // the subject has a version: it is software too
  EXPECT_EQ(back->components[0].name, "minato");
  EXPECT_EQ(back->components[1].arch, "amd64");
  EXPECT_EQ(back->components[1].supplier, "Debian");
  EXPECT_EQ(back->components[1].source, "openssl");  // from the purl's upstream qualifier
  EXPECT_EQ(back->components[2].purl, "pkg:npm/lit@3.3.3");

  // The stored form keeps the note and the hash.
  auto stored = components_from_json(components_to_json({bom.subject, bom.components[0]}));
  ASSERT_TRUE(stored);
  EXPECT_EQ((*stored)[0].sha256, std::string(64, 'a'));
  EXPECT_EQ((*stored)[1].note, "linked: /usr/lib/x86_64-linux-gnu/libssl.so.3");
}

TEST(SoftwareList, G2_7_4_CycloneDxRefusalsNameThePath) {
  struct Case {
    std::string text;
    std::string says;
  };
  const std::string head = R"({"bomFormat":"CycloneDX","specVersion":"1.5",)";
  for (const Case& c : {
           Case{R"({"bomFormat":"SPDX","specVersion":"1.5"})", "not a CycloneDX BOM"},
           Case{R"({"bomFormat":"CycloneDX","specVersion":"9"})", "specVersion '9'"},
           Case{head + R"("components":[{"name":"a","version":"1"},{"version":"2"}]})",
                "components[1]: a component without a name"},
           Case{head +
                    R"("components":[{"name":"a","components":[{"name":"b","purl":"http://x"}]}]})",
                "components[0].components[0].purl: 'http://x' is not a package URL"},
           Case{head + R"("components":{}})", "components must be an array"},
           Case{head + R"("components":[]})", "the BOM lists no component"},
           Case{R"({"bomFormat":"CycloneDX", "specVersion": "1.5", "components": [)",
                "not valid JSON"},
       }) {
    auto l = parse_software_list(c.text, 100);
    ASSERT_FALSE(l) << c.text;
    EXPECT_NE(l.error().message().find(c.says), std::string::npos) << l.error().message();
  }
  std::string deep = head + R"("components":[)";
  for (int i = 0; i < 20; ++i) deep += R"({"name":"x","components":[)";
  auto l = parse_software_list(deep + std::string(20, ']') + "]}", 1000);
  EXPECT_FALSE(l);
}

ReleaseManifest release(const std::string& version, const std::string& bytes) {
  ReleaseManifest m;
  m.version = version;
  m.created = "2026-12-07T00:00:00Z";
  m.artefacts.push_back({"minato-" + version + "-amd64.tar", bytes.size(), ""});
  return m;
}

TEST(Release, A1_3_4_OnlyASignedUnalteredManifestWithATrustedKey) {
  const auto key = crypto::SigningKey::generate();
  const auto other = crypto::SigningKey::generate();
  const std::string key_hex = crypto::to_hex(key.public_key());
  const std::string bytes = "the release archive's bytes";
  ReleaseManifest m = release("0.2.0", bytes);
  m.artefacts[0].sha256 = crypto::to_hex(crypto::sha256(bytes));
  const std::string text = manifest_json(m);
  const std::string sig = sign_manifest(key, text);

  auto ok = verify_manifest(text, sig, {key_hex});
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->signer, key_hex);
  EXPECT_TRUE(check_artefact(*ok, "minato-0.2.0-amd64.tar", bytes));
  EXPECT_EQ(sums_text(m), m.artefacts[0].sha256 + "  minato-0.2.0-amd64.tar\n");

  // Every byte of the manifest matters.
  for (size_t i = 0; i < text.size(); ++i) {
    std::string t = text;
    t[i] ^= 0x01;
    auto v = verify_manifest(t, sig, {key_hex});
    ASSERT_FALSE(v) << "byte " << i;
    EXPECT_EQ(v.error().code(), ErrorCode::kPermissionDenied);
  }
  // Another key, no key, a broken signature line.
  auto foreign = verify_manifest(text, sign_manifest(other, text), {key_hex});
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message().find(crypto::to_hex(other.public_key()) +
                                           ", which is not in upgrade.release_keys"),
            std::string::npos);
  EXPECT_FALSE(verify_manifest(text, sig, {}));
  std::string upper = sig;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_FALSE(verify_manifest(text, upper, {key_hex}));

  // The artefact: its size and hash as signed, and only under its name.
  auto changed = check_artefact(*ok, "minato-0.2.0-amd64.tar", "the release archive's bytez");
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(changed.error().message().find("the signed manifest says " + m.artefacts[0].sha256),
            std::string::npos);
  EXPECT_EQ(check_artefact(*ok, "minato-0.2.0-amd64.tar", bytes + "x").error().code(),
            ErrorCode::kDataLoss);
  EXPECT_EQ(check_artefact(*ok, "other.tar", bytes).error().code(), ErrorCode::kNotFound);
}

TEST(Release, ManifestFieldsAndVersions) {
  EXPECT_TRUE(check_release_version("0.1.0"));
  EXPECT_TRUE(check_release_version("12.0.345"));
  for (const char* bad : {"", "1", "1.2", "1.2.3.4", "1..3", "v1.2.3", "1.2.3-rc1", ".1.2"}) {
    EXPECT_FALSE(check_release_version(bad)) << bad;
  }
  EXPECT_LT(compare_release_versions("0.9.0", "0.10.0"), 0);
  EXPECT_GT(compare_release_versions("1.0.0", "0.99.99"), 0);
  EXPECT_EQ(compare_release_versions("0.1.0", "0.1.0"), 0);
  const std::string sum(64, 'a');
  for (
      const std::string& bad : {
          std::string(R"({"product":"other","version":"0.2.0","artefacts":[]})"),
          R"({"product":"minato","version":"0.2","artefacts":[{"name":"a","size":1,"sha256":")" +
              sum + R"("}]})",
          std::string(R"({"product":"minato","version":"0.2.0","artefacts":[]})"),
          R"({"product":"minato","version":"0.2.0","artefacts":[{"name":"../a","size":1,"sha256":")" +
              sum + R"("}]})",
          R"({"product":"minato","version":"0.2.0","artefacts":[{"name":"a","size":-1,"sha256":")" +
              sum + R"("}]})",
          std::string(
              R"({"product":"minato","version":"0.2.0","artefacts":[{"name":"a","size":1,"sha256":"AB"}]})"),
          R"({"product":"minato","version":"0.2.0","artefacts":[{"name":"a","size":1,"sha256":")" +
              sum + R"("},{"name":"a","size":1,"sha256":")" + sum + R"("}]})",
      }) {
    EXPECT_FALSE(parse_manifest(bad)) << bad;
  }
}

}  // namespace
}  // namespace minato::secops
