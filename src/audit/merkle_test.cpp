#include "audit/merkle.h"

#include <gtest/gtest.h>

#include <random>

namespace minato::audit {
namespace {

Hash h(std::string_view hex) { return *hash_from_hex(hex); }

// The reference tree of RFC 6962's reference implementation (Certificate Transparency): leaf
// data, the roots of its first 1..8 leaves, and its inclusion and consistency proofs.
const std::vector<std::string> kLeafData = {
    "",
    std::string(1, '\x00'),
    "\x10",
    "\x20\x21",
    "\x30\x31",
    "\x40\x41\x42\x43",
    "\x50\x51\x52\x53\x54\x55\x56\x57",
    "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
const char* kRoots[] = {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

std::vector<Hash> reference_leaves() {
  std::vector<Hash> out;
  for (const auto& d : kLeafData) out.push_back(leaf_hash(d));
  return out;
}

TEST(MerkleTest, EmptyTreeIsHashOfNothing) {
  EXPECT_EQ(to_hex(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(CompactRange().root(), empty_root());
}

TEST(MerkleTest, RootsMatchTheRfc6962ReferenceTree) {
  auto leaves = reference_leaves();
  CompactRange edge;
  for (size_t n = 1; n <= leaves.size(); ++n) {
    edge.append(leaves[n - 1]);
    EXPECT_EQ(to_hex(edge.root()), kRoots[n - 1]) << "size " << n;
    EXPECT_EQ(to_hex(root_of(std::span(leaves).first(n))), kRoots[n - 1]) << "size " << n;
  }
}

TEST(MerkleTest, InclusionProofsMatchTheReference) {
  auto leaves = reference_leaves();
  struct Case {
    uint64_t index, size;
    std::vector<const char*> proof;
  };
  const Case cases[] = {
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const auto& c : cases) {
    auto proof = inclusion_proof(leaves, c.index, c.size);
    ASSERT_EQ(proof.size(), c.proof.size());
    for (size_t i = 0; i < proof.size(); ++i) EXPECT_EQ(to_hex(proof[i]), c.proof[i]);
    EXPECT_TRUE(verify_inclusion(leaves[c.index], c.index, c.size, proof, h(kRoots[c.size - 1])));
  }
}

TEST(MerkleTest, ConsistencyProofsMatchTheReference) {
  auto leaves = reference_leaves();
  struct Case {
    uint64_t from, to;
    std::vector<const char*> proof;
  };
  const Case cases[] = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const auto& c : cases) {
    auto proof = consistency_proof(leaves, c.from, c.to);
    ASSERT_EQ(proof.size(), c.proof.size()) << c.from << "->" << c.to;
    for (size_t i = 0; i < proof.size(); ++i) EXPECT_EQ(to_hex(proof[i]), c.proof[i]);
    EXPECT_TRUE(
        verify_consistency(c.from, c.to, h(kRoots[c.from - 1]), h(kRoots[c.to - 1]), proof));
  }
}

// Every leaf of every tree size up to 70, and every pair of sizes: honest proofs verify; a
// proof with any one hash flipped, for another index, or against another root does not.
TEST(MerkleTest, EveryProofOfEveryShapeVerifiesAndNoAlteredOneDoes) {
  std::mt19937 rng(6962);
  std::vector<Hash> leaves;
  for (int i = 0; i < 70; ++i) leaves.push_back(leaf_hash(std::to_string(rng())));
  std::vector<Hash> roots{empty_root()};
  for (size_t n = 1; n <= leaves.size(); ++n) roots.push_back(root_of(std::span(leaves).first(n)));
  for (uint64_t n = 1; n <= leaves.size(); ++n) {
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = inclusion_proof(leaves, i, n);
      ASSERT_TRUE(verify_inclusion(leaves[i], i, n, proof, roots[n])) << i << "/" << n;
      EXPECT_FALSE(verify_inclusion(leaves[(i + 1) % leaves.size()], i, n, proof, roots[n]));
      if (n > 1) {
        EXPECT_FALSE(verify_inclusion(leaves[i], (i + 1) % n, n, proof, roots[n]));
      }
      for (size_t k = 0; k < proof.size(); ++k) {
        auto bad = proof;
        bad[k][k % 32] ^= 1;
        EXPECT_FALSE(verify_inclusion(leaves[i], i, n, bad, roots[n]));
      }
    }
    for (uint64_t m = 1; m <= n; ++m) {
      auto proof = consistency_proof(leaves, m, n);
      ASSERT_TRUE(verify_consistency(m, n, roots[m], roots[n], proof)) << m << "->" << n;
      if (m < n) {
        EXPECT_FALSE(verify_consistency(m, n, roots[m - 1 == 0 ? 2 : m - 1], roots[n], proof));
        EXPECT_FALSE(verify_consistency(m, n, roots[m], roots[n - 1], proof));
        for (size_t k = 0; k < proof.size(); ++k) {
          auto bad = proof;
          bad[k][0] ^= 0x80;
          EXPECT_FALSE(verify_consistency(m, n, roots[m], roots[n], bad));
        }
      }
    }
  }
}

TEST(MerkleTest, CompactRangeRoundTripsAndRefusesBadBytes) {
  CompactRange edge;
  for (int i = 0; i < 13; ++i) edge.append(leaf_hash(std::to_string(i)));
  auto back = CompactRange::parse(edge.serialize());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->size(), 13u);
  EXPECT_EQ(back->root(), edge.root());
  back->append(leaf_hash("13"));
  edge.append(leaf_hash("13"));
  EXPECT_EQ(back->root(), edge.root());
  EXPECT_FALSE(CompactRange::parse(edge.serialize().substr(0, 40)));
  EXPECT_FALSE(CompactRange::parse("short"));
}

}  // namespace
}  // namespace minato::audit
