#include "audit/merkle.h"

#include "audit/merkle_tree.h"

#include <openssl/sha.h>

#include <bit>
#include <cstring>

namespace minato::audit {

// The low-level SHA-256 interface is deprecated in OpenSSL 3 in favour of EVP, but EVP costs a
// method lookup and context set-up per call — several times the hash of a 65-byte node. The
// low-level functions use the same SHA-NI/AVX2 code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

Hash leaf_hash(std::string_view data) {
  SHA256_CTX c;
  SHA256_Init(&c);
  const uint8_t prefix = 0x00;
  SHA256_Update(&c, &prefix, 1);
  SHA256_Update(&c, data.data(), data.size());
  Hash h;
  SHA256_Final(h.data(), &c);
  return h;
}

static_assert(sizeof(SHA256_CTX) <= 128);

LeafHasher::LeafHasher() {
  auto* c = reinterpret_cast<SHA256_CTX*>(ctx_);
  SHA256_Init(c);
  const uint8_t prefix = 0x00;
  SHA256_Update(c, &prefix, 1);
}

void LeafHasher::add(std::string_view bytes) {
  SHA256_Update(reinterpret_cast<SHA256_CTX*>(ctx_), bytes.data(), bytes.size());
}

void LeafHasher::add_u64(uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
  SHA256_Update(reinterpret_cast<SHA256_CTX*>(ctx_), b, 8);
}

Hash LeafHasher::finish() {
  Hash h;
  SHA256_Final(h.data(), reinterpret_cast<SHA256_CTX*>(ctx_));
  return h;
}

Hash node_hash(const Hash& left, const Hash& right) {
  uint8_t buf[65];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), 32);
  std::memcpy(buf + 33, right.data(), 32);
  // The low-level calls: the one-shot SHA256() of OpenSSL 3 looks the algorithm up each time.
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, buf, sizeof buf);
  Hash h;
  SHA256_Final(h.data(), &c);
  return h;
}

Hash empty_root() {
  Hash h;
  SHA256(nullptr, 0, h.data());
  return h;
}

#pragma GCC diagnostic pop

std::string to_hex(const Hash& h) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(64, '0');
  for (size_t i = 0; i < 32; ++i) {
    out[2 * i] = kDigits[h[i] >> 4];
    out[2 * i + 1] = kDigits[h[i] & 15];
  }
  return out;
}

Result<Hash> hash_from_hex(std::string_view hex) {
  if (hex.size() != 64) {
    return fail(ErrorCode::kInvalidArgument, "a hash is 64 hexadecimal digits");
  }
  Hash h;
  for (size_t i = 0; i < 64; ++i) {
    char c = hex[i];
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (v < 0) return fail(ErrorCode::kInvalidArgument, "a hash is 64 hexadecimal digits");
    if (i % 2 == 0) {
      h[i / 2] = static_cast<uint8_t>(v << 4);
    } else {
      h[i / 2] = static_cast<uint8_t>(h[i / 2] | v);
    }
  }
  return h;
}

Hash hash_from_bytes(std::string_view bytes) {
  Hash h{};
  std::memcpy(h.data(), bytes.data(), std::min<size_t>(32, bytes.size()));
  return h;
}

std::string_view as_bytes(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

void CompactRange::append(const Hash& leaf) {
  Hash h = leaf;
  for (uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    h = node_hash(nodes_.back(), h);
    nodes_.pop_back();
  }
  nodes_.push_back(h);
  ++size_;
}

Hash CompactRange::root() const {
  if (nodes_.empty()) return empty_root();
  Hash r = nodes_.back();
  for (size_t i = nodes_.size() - 1; i-- > 0;) r = node_hash(nodes_[i], r);
  return r;
}

std::string CompactRange::serialize() const {
  std::string out;
  out.reserve(8 + 32 * nodes_.size());
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((size_ >> (8 * i)) & 0xff));
  for (const auto& h : nodes_) out += as_bytes(h);
  return out;
}

Result<CompactRange> CompactRange::parse(std::string_view bytes) {
  if (bytes.size() < 8) return fail(ErrorCode::kDataLoss, "tree edge: too short");
  CompactRange r;
  for (int i = 0; i < 8; ++i) r.size_ = (r.size_ << 8) | static_cast<uint8_t>(bytes[i]);
  size_t n = static_cast<size_t>(std::popcount(r.size_));
  if (bytes.size() != 8 + 32 * n) {
    return fail(ErrorCode::kDataLoss, "tree edge: " + std::to_string(bytes.size()) +
                                          " bytes do not fit a tree of " + std::to_string(r.size_) +
                                          " leaves");
  }
  for (size_t i = 0; i < n; ++i) r.nodes_.push_back(hash_from_bytes(bytes.substr(8 + 32 * i, 32)));
  return r;
}

Hash root_of(std::span<const Hash> leaves) {
  CompactRange r;
  for (const auto& h : leaves) r.append(h);
  return r.root();
}

std::vector<Hash> inclusion_proof(std::span<const Hash> leaves, uint64_t index, uint64_t size) {
  return Tree({leaves.begin(), leaves.begin() + static_cast<std::ptrdiff_t>(size)})
      .inclusion_proof(index, size);
}

bool verify_inclusion(const Hash& leaf, uint64_t index, uint64_t size, std::span<const Hash> proof,
                      const Hash& root) {
  // RFC 9162 §2.1.3.2.
  if (index >= size) return false;
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf;
  for (const auto& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = node_hash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

std::vector<Hash> consistency_proof(std::span<const Hash> leaves, uint64_t old_size,
                                    uint64_t new_size) {
  return Tree({leaves.begin(), leaves.begin() + static_cast<std::ptrdiff_t>(new_size)})
      .consistency_proof(old_size, new_size);
}

bool verify_consistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                        const Hash& new_root, std::span<const Hash> proof) {
  // RFC 9162 §2.1.4.2.
  if (old_size == 0 || old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (proof.empty()) return false;
  std::vector<Hash> path;
  if (std::has_single_bit(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

}  // namespace minato::audit
