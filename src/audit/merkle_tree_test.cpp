#include "audit/merkle_tree.h"

#include <gtest/gtest.h>

#include <random>

namespace minato::audit {
namespace {

std::vector<Hash> leaves_of(uint64_t n) {
  std::vector<Hash> out;
  for (uint64_t i = 0; i < n; ++i) out.push_back(leaf_hash("leaf " + std::to_string(i)));
  return out;
}

// The whole tree's proofs are the free functions' proofs, for every size and position up to 40.
TEST(MerkleTreeTest, ProofsMatchTheReferenceFunctions) {
  auto leaves = leaves_of(40);
  Tree tree(leaves);
  for (uint64_t n = 1; n <= 40; ++n) {
    ASSERT_EQ(tree.root(n), root_of(std::span(leaves).first(n))) << n;
    for (uint64_t i = 0; i < n; ++i) {
      ASSERT_EQ(tree.inclusion_proof(i, n), inclusion_proof(leaves, i, n)) << i << "/" << n;
    }
    for (uint64_t m = 1; m <= n; ++m) {
      ASSERT_EQ(tree.consistency_proof(m, n), consistency_proof(leaves, m, n)) << m << "/" << n;
    }
  }
  EXPECT_EQ(Tree({}).root(0), empty_root());
}

// G3.1-b: every range of every tree up to 33 leaves proves, and nothing else does.
TEST(MerkleTreeTest, G3_1_b_RangeProofsProveEveryRangeAndOnlyIt) {
  auto leaves = leaves_of(33);
  Tree tree(leaves);
  for (uint64_t n = 1; n <= 33; ++n) {
    const Hash root = tree.root(n);
    for (uint64_t b = 0; b < n; ++b) {
      for (uint64_t e = b + 1; e <= n; ++e) {
        auto proof = tree.range_proof(b, e, n);
        auto range = std::span<const Hash>(leaves).subspan(b, e - b);
        ASSERT_TRUE(verify_range(b, range, n, proof, root)) << b << ".." << e << "/" << n;
        // A changed leaf, a leaf left out, a range shifted, a proof cut short or lengthened.
        std::vector<Hash> changed(range.begin(), range.end());
        changed[changed.size() / 2][7] ^= 1;
        ASSERT_FALSE(verify_range(b, changed, n, proof, root));
        if (e - b > 1) {
          ASSERT_FALSE(verify_range(b, range.first(range.size() - 1), n, proof, root));
        }
        if (b > 0) {
          ASSERT_FALSE(verify_range(b - 1, range, n, proof, root));
        }
        if (!proof.empty()) {
          auto cut = proof;
          cut.pop_back();
          ASSERT_FALSE(verify_range(b, range, n, cut, root));
        }
        auto longer = proof;
        longer.push_back(root);
        ASSERT_FALSE(verify_range(b, range, n, longer, root));
      }
    }
  }
}

TEST(MerkleTreeTest, RangeProofIsLogarithmic) {
  auto leaves = leaves_of(100'000);
  Tree tree(leaves);
  auto proof = tree.range_proof(12'345, 67'890, 100'000);
  EXPECT_LE(proof.size(), 2u * 17u);
  EXPECT_TRUE(verify_range(12'345, std::span<const Hash>(leaves).subspan(12'345, 67'890 - 12'345),
                           100'000, proof, tree.root(100'000)));
}

}  // namespace
}  // namespace minato::audit
