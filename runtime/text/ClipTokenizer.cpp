//===- ClipTokenizer.cpp - CLIP's byte-level BPE tokenizer ----------------===//

#include "runtime/text/ClipTokenizer.h"

#include "runtime/base/Error.h"
#include "runtime/base/ReadOnlyFile.h"

#include <nlohmann/json.hpp>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>
#include <unicode/utypes.h>
#include <zlib.h>

#include <array>
#include <climits>
#include <cstdlib>
#include <sstream>

namespace fs = std::filesystem;

namespace avila {
namespace {

// OpenAI's vocabulary uses the first 49152 - 256 - 2 merges of the file.
constexpr size_t kMergeCount = 48894;

// The real files are far smaller (vocab.json 0.9 MB, merges.txt 0.5 MB,
// the .gz archive 1.4 MB inflated in 262k lines); the bounds keep a hostile
// file from taking the machine's memory.
constexpr size_t kMaxFileBytes = size_t(16) << 20;
constexpr size_t kMaxLines = size_t(1) << 20;
// Ids size the id-to-token table; CLIP's are below 49408.
constexpr int64_t kMaxVocabulary = int64_t(1) << 20;

// The inflated content of a gzip file, refused by its first bytes when it is
// not gzip and as soon as it inflates beyond kMaxFileBytes.
std::string readGzip(const fs::path &path) {
  const std::string packed = readFile(path, kMaxFileBytes);
  if (!packed.starts_with("\x1f\x8b"))
    fail(path.string() + " is not a gzip file (it does not start with the "
                         "gzip signature)");
  z_stream stream{};
  // 16 + MAX_WBITS: a gzip wrapper, not a raw zlib stream.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
    fail("cannot start zlib");
  stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(packed.data()));
  stream.avail_in = static_cast<uInt>(packed.size());
  std::string text;
  std::array<char, 1 << 16> buffer;
  int status = Z_OK;
  while (status == Z_OK && text.size() <= kMaxFileBytes) {
    stream.next_out = reinterpret_cast<Bytef *>(buffer.data());
    stream.avail_out = static_cast<uInt>(buffer.size());
    status = inflate(&stream, Z_NO_FLUSH);
    text.append(buffer.data(), buffer.size() - stream.avail_out);
  }
  inflateEnd(&stream);
  if (text.size() > kMaxFileBytes)
    fail(path.string() + " inflates to more than " +
         std::to_string(kMaxFileBytes) + " bytes; a CLIP vocabulary is 1.4 MB");
  if (status != Z_STREAM_END)
    fail(path.string() + " is not a valid gzip file (" +
         (stream.msg ? stream.msg : "truncated") + ")");
  return text;
}

std::vector<std::string> splitLines(const std::string &text,
                                    const fs::path &path) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (lines.size() == kMaxLines)
      fail(path.string() + " has more than " + std::to_string(kMaxLines) +
           " lines");
    lines.push_back(line);
  }
  return lines;
}

// Merges are lines 1 .. kMergeCount (line 0 is a version header).
std::vector<std::string> mergesOf(const std::vector<std::string> &lines,
                                  const fs::path &path) {
  if (lines.size() < kMergeCount + 1)
    fail(path.string() + " has " + std::to_string(lines.size()) +
         " lines; a CLIP merges list has at least " +
         std::to_string(kMergeCount + 1));
  std::vector<std::string> merges(lines.begin() + 1,
                                  lines.begin() + 1 + kMergeCount);
  for (const std::string &merge : merges)
    if (std::count(merge.begin(), merge.end(), ' ') != 1)
      fail(path.string() + ": malformed merge '" + merge + "'");
  return merges;
}

void appendUtf8(std::string &out, UChar32 c) {
  char bytes[4];
  int32_t length = 0;
  UBool error = false;
  U8_APPEND(bytes, length, 4, c, error);
  out.append(bytes, length);
}

// The bytes GPT-2's byte map keeps as their own code point.
bool isPrintableByte(int b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
}

// GPT-2's reversible map from bytes to printable code points.
const std::array<std::string, 256> &byteEncoder() {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> encoded;
    int next = 256;
    for (int b = 0; b < 256; ++b)
      appendUtf8(encoded[b], isPrintableByte(b) ? b : next++);
    return encoded;
  }();
  return table;
}

// The order OpenAI's vocabulary lists the byte symbols in: printable bytes
// first, then the rest.
std::vector<int> byteOrder() {
  std::vector<int> order;
  for (int pass = 0; pass < 2; ++pass)
    for (int b = 0; b < 256; ++b)
      if (isPrintableByte(b) == (pass == 0))
        order.push_back(b);
  return order;
}

std::u32string decodeUtf8(const std::string &text) {
  std::u32string decoded;
  const auto *bytes = reinterpret_cast<const uint8_t *>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  if (text.size() > INT32_MAX)
    fail("prompt too long");
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0)
      fail("the prompt is not valid UTF-8");
    decoded.push_back(static_cast<char32_t>(c));
  }
  return decoded;
}

std::string encodeUtf8(std::u32string_view text) {
  std::string out;
  for (char32_t c : text)
    appendUtf8(out, static_cast<UChar32>(c));
  return out;
}

// Python's str.isspace, which the reference's `\s` follows.
bool isSpace(char32_t c) {
  return u_isUWhiteSpace(c) || (c >= 0x1c && c <= 0x1f);
}
bool isLetter(char32_t c) { return (U_GET_GC_MASK(c) & U_GC_L_MASK) != 0; }
bool isNumber(char32_t c) { return (U_GET_GC_MASK(c) & U_GC_N_MASK) != 0; }

// Python's html.unescape for numeric references and the named entities
// prompts contain in practice.
std::u32string unescapeHtml(std::u32string_view text) {
  static const std::map<std::u32string, std::u32string> kNamed = {
      {U"amp", U"&"},   {U"lt", U"<"},    {U"gt", U">"},
      {U"quot", U"\""}, {U"apos", U"'"},  {U"nbsp", U"\u00a0"},
      {U"copy", U"©"},  {U"reg", U"®"},   {U"hellip", U"…"},
      {U"mdash", U"—"}, {U"ndash", U"–"}, {U"lsquo", U"‘"},
      {U"rsquo", U"’"}, {U"ldquo", U"“"}, {U"rdquo", U"”"}};
  std::u32string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t end = text.find(U';', i);
    if (text[i] != U'&' || end == text.npos || end - i > 12) {
      out.push_back(text[i]);
      continue;
    }
    const std::u32string_view body = text.substr(i + 1, end - i - 1);
    if (body.size() >= 2 && body[0] == U'#') {
      const bool hex = body[1] == U'x' || body[1] == U'X';
      const std::string digits = encodeUtf8(body.substr(hex ? 2 : 1));
      char *stop = nullptr;
      const unsigned long value =
          std::strtoul(digits.c_str(), &stop, hex ? 16 : 10);
      if (!digits.empty() && *stop == 0 && value > 0 && value <= 0x10FFFF &&
          !(value >= 0xD800 && value <= 0xDFFF)) {
        out.push_back(static_cast<char32_t>(value));
        i = end;
        continue;
      }
    } else if (auto named = kNamed.find(std::u32string(body));
               named != kNamed.end()) {
      out += named->second;
      i = end;
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

std::u16string toUtf16(std::u32string_view text) {
  std::u16string utf16;
  for (char32_t c : text) {
    UChar units[2];
    int32_t length = 0;
    UBool error = false;
    U16_APPEND(units, length, 2, c, error);
    utf16.append(reinterpret_cast<char16_t *>(units), length);
  }
  return utf16;
}

std::u32string fromUtf16(std::u16string_view text) {
  std::u32string out;
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U16_NEXT(text.data(), i, length, c);
    out.push_back(static_cast<char32_t>(c));
  }
  return out;
}

// Runs an ICU string transform that writes into a buffer, growing the buffer
// when ICU asks for more.
template <typename Transform>
std::u32string transformUtf16(const std::u32string &text, Transform transform) {
  const std::u16string source = toUtf16(text);
  std::u16string result(source.size() * 2 + 16, u'\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    UErrorCode status = U_ZERO_ERROR;
    const int32_t length =
        transform(reinterpret_cast<const UChar *>(source.data()),
                  static_cast<int32_t>(source.size()),
                  reinterpret_cast<UChar *>(result.data()),
                  static_cast<int32_t>(result.size()), &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
      result.resize(length);
      continue;
    }
    if (U_FAILURE(status))
      fail("cannot normalize the prompt (" + std::string(u_errorName(status)) +
           ")");
    return fromUtf16(std::u16string_view(result).substr(0, length));
  }
  fail("cannot normalize the prompt");
}

std::u32string normalizeNfc(const std::u32string &text) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2 *nfc = unorm2_getNFCInstance(&status);
  if (U_FAILURE(status))
    fail("ICU has no NFC data");
  return transformUtf16(text, [nfc](const UChar *source, int32_t length,
                                    UChar *out, int32_t capacity,
                                    UErrorCode *error) {
    return unorm2_normalize(nfc, source, length, out, capacity, error);
  });
}

// Full, context-sensitive case mapping, as Python's str.lower: one code
// point may become two, and a final sigma becomes ς.
std::u32string lowerCase(const std::u32string &text) {
  return transformUtf16(text, [](const UChar *source, int32_t length,
                                 UChar *out, int32_t capacity,
                                 UErrorCode *error) {
    return u_strToLower(out, capacity, source, length, "", error);
  });
}

// CLIP's pre-tokenizer pattern on normalized text:
//   <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|
//   [^\s\p{L}\p{N}]+
// Characters that match none (whitespace) are skipped.
std::vector<std::u32string> splitPieces(const std::u32string &text) {
  static const std::u32string kSpecial[] = {U"<|startoftext|>",
                                            U"<|endoftext|>"};
  static const std::u32string kContractions[] = {U"'s", U"'t",  U"'re", U"'ve",
                                                 U"'m", U"'ll", U"'d"};
  std::vector<std::u32string> pieces;
  for (size_t i = 0; i < text.size();) {
    const std::u32string_view rest = std::u32string_view(text).substr(i);
    size_t length = 0;
    for (const auto &list : {std::span<const std::u32string>(kSpecial),
                             std::span<const std::u32string>(kContractions)})
      for (const std::u32string &literal : list)
        if (!length && rest.starts_with(literal))
          length = literal.size();
    if (!length) {
      const char32_t c = text[i];
      if (isSpace(c)) {
        ++i;
        continue;
      }
      if (isLetter(c)) {
        while (length < rest.size() && isLetter(rest[length]))
          ++length;
      } else if (isNumber(c)) {
        length = 1;
      } else {
        while (length < rest.size() && !isSpace(rest[length]) &&
               !isLetter(rest[length]) && !isNumber(rest[length]))
          ++length;
      }
    }
    pieces.emplace_back(rest.substr(0, length));
    i += length;
  }
  return pieces;
}

// normalizePromptText's result as code points, which the splitter reads.
std::u32string normalizedCodePoints(const std::string &text) {
  const std::u32string unescaped = unescapeHtml(unescapeHtml(decodeUtf8(text)));
  std::u32string collapsed;
  for (char32_t c : normalizeNfc(unescaped)) {
    if (!isSpace(c))
      collapsed.push_back(c);
    else if (!collapsed.empty() && collapsed.back() != U' ')
      collapsed.push_back(U' ');
  }
  while (!collapsed.empty() && collapsed.back() == U' ')
    collapsed.pop_back();
  return lowerCase(collapsed);
}

} // namespace

std::string normalizePromptText(const std::string &text) {
  return encodeUtf8(normalizedCodePoints(text));
}

ClipTokenizer::ClipTokenizer(std::unordered_map<std::string, int32_t> vocab,
                             const std::vector<std::string> &merges,
                             fs::path from)
    : vocabulary(std::move(vocab)), origin(std::move(from)) {
  for (size_t rank = 0; rank < merges.size(); ++rank)
    mergeRanks.emplace(merges[rank], static_cast<int>(rank));
  for (const char *special : {"<|startoftext|>", "<|endoftext|>"})
    if (!vocabulary.count(special))
      fail(origin.string() + ": the vocabulary lacks " + special);
  if (vocabulary.at("<|startoftext|>") != kStartOfText ||
      vocabulary.at("<|endoftext|>") != kEndOfText)
    fail(origin.string() + " is not CLIP's vocabulary (special token ids "
                           "differ)");
  for (const auto &[token, id] : vocabulary) {
    if (static_cast<size_t>(id) >= tokenOf.size())
      tokenOf.resize(id + 1);
    tokenOf[id] = token;
  }
  const auto commaEntry = vocabulary.find(",</w>");
  comma = commaEntry == vocabulary.end() ? -1 : commaEntry->second;
}

ClipTokenizer ClipTokenizer::fromDiffusersFolder(const fs::path &folder) {
  const fs::path vocabPath = folder / "vocab.json";
  const fs::path mergesPath = folder / "merges.txt";
  const nlohmann::json parsed =
      nlohmann::json::parse(readFile(vocabPath, kMaxFileBytes), nullptr, false);
  if (!parsed.is_object())
    fail(vocabPath.string() + " is not a JSON object");
  std::unordered_map<std::string, int32_t> vocabulary;
  for (const auto &[token, id] : parsed.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 ||
        id.get<int64_t>() >= kMaxVocabulary)
      fail(vocabPath.string() + ": token '" + token +
           "' has no valid id (ids are 0.." +
           std::to_string(kMaxVocabulary - 1) + ")");
    vocabulary.emplace(token, id.get<int32_t>());
  }
  return ClipTokenizer(
      std::move(vocabulary),
      mergesOf(splitLines(readFile(mergesPath, kMaxFileBytes), mergesPath),
               mergesPath),
      folder);
}

ClipTokenizer ClipTokenizer::fromBpeArchive(const fs::path &file) {
  const std::vector<std::string> merges =
      mergesOf(splitLines(readGzip(file), file), file);
  // The vocabulary is implied: byte symbols, the same with </w>, every
  // merge's result, then the two special tokens.
  std::vector<std::string> tokens;
  for (int b : byteOrder())
    tokens.push_back(byteEncoder()[b]);
  for (int i = 0; i < 256; ++i)
    tokens.push_back(tokens[i] + "</w>");
  for (const std::string &merge : merges) {
    std::string joined = merge;
    joined.erase(joined.find(' '), 1);
    tokens.push_back(joined);
  }
  tokens.push_back("<|startoftext|>");
  tokens.push_back("<|endoftext|>");
  std::unordered_map<std::string, int32_t> vocabulary;
  for (size_t id = 0; id < tokens.size(); ++id)
    vocabulary.emplace(tokens[id], static_cast<int32_t>(id));
  return ClipTokenizer(std::move(vocabulary), merges, file);
}

ClipTokenizer ClipTokenizer::locate(const fs::path &explicitPath,
                                    const fs::path &model) {
  auto load = [](const fs::path &path) {
    if (fs::is_directory(path / "tokenizer"))
      return fromDiffusersFolder(path / "tokenizer");
    if (fs::is_directory(path))
      return fromDiffusersFolder(path);
    return fromBpeArchive(path);
  };
  if (!explicitPath.empty())
    return load(explicitPath);
  std::vector<fs::path> candidates;
  if (const char *variable = std::getenv("AVILA_TOKENIZER"))
    candidates.emplace_back(variable);
  if (!model.empty()) {
    const fs::path folder =
        fs::is_directory(model) ? model : model.parent_path();
    candidates.push_back(folder / "tokenizer");
    candidates.push_back(folder / "bpe_simple_vocab_16e6.txt.gz");
  }
  if (const char *home = std::getenv("HOME"))
    candidates.push_back(fs::path(home) /
                         ".local/share/avila/bpe_simple_vocab_16e6.txt.gz");
  candidates.emplace_back("/usr/share/avila/bpe_simple_vocab_16e6.txt.gz");
  std::string tried;
  for (const fs::path &candidate : candidates) {
    if (fs::exists(candidate))
      return load(candidate);
    tried += (tried.empty() ? "" : ", ") + candidate.string();
  }
  fail("no CLIP tokenizer found (looked in " + tried +
       "); pass --tokenizer <diffusers tokenizer folder or "
       "bpe_simple_vocab_16e6.txt.gz>");
}

std::vector<int32_t>
ClipTokenizer::encodePiece(const std::string &piece) const {
  if (piece == "<|startoftext|>")
    return {kStartOfText};
  if (piece == "<|endoftext|>")
    return {kEndOfText};
  std::vector<std::string> symbols;
  for (unsigned char byte : piece)
    symbols.push_back(byteEncoder()[byte]);
  symbols.back() += "</w>";
  // Merge the lowest-ranked adjacent pair, every occurrence left to right,
  // until no pair has a rank.
  while (symbols.size() > 1) {
    int best = INT_MAX;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      const auto rank = mergeRanks.find(symbols[i] + " " + symbols[i + 1]);
      if (rank != mergeRanks.end())
        best = std::min(best, rank->second);
    }
    if (best == INT_MAX)
      break;
    std::vector<std::string> merged;
    for (size_t i = 0; i < symbols.size(); ++i) {
      if (i + 1 < symbols.size()) {
        const auto rank = mergeRanks.find(symbols[i] + " " + symbols[i + 1]);
        if (rank != mergeRanks.end() && rank->second == best) {
          merged.push_back(symbols[i] + symbols[i + 1]);
          ++i;
          continue;
        }
      }
      merged.push_back(symbols[i]);
    }
    symbols = std::move(merged);
  }
  std::vector<int32_t> ids;
  for (const std::string &symbol : symbols) {
    const auto id = vocabulary.find(symbol);
    if (id == vocabulary.end())
      fail(origin.string() + ": the vocabulary lacks the symbol '" + symbol +
           "'");
    ids.push_back(id->second);
  }
  return ids;
}

std::vector<int32_t> ClipTokenizer::encode(const std::string &text) const {
  std::vector<int32_t> ids;
  for (const std::u32string &piece : splitPieces(normalizedCodePoints(text))) {
    const std::vector<int32_t> pieceIds = encodePiece(encodeUtf8(piece));
    ids.insert(ids.end(), pieceIds.begin(), pieceIds.end());
  }
  return ids;
}

std::string ClipTokenizer::decode(const std::vector<int32_t> &ids) const {
  static const std::unordered_map<char32_t, uint8_t> kByteOf = [] {
    std::unordered_map<char32_t, uint8_t> inverse;
    for (int b = 0; b < 256; ++b)
      inverse.emplace(decodeUtf8(byteEncoder()[b])[0], static_cast<uint8_t>(b));
    return inverse;
  }();
  std::string text;
  for (int32_t id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= tokenOf.size())
      fail("token id " + std::to_string(id) + " is not in the vocabulary");
    std::string token = tokenOf[id];
    if (id == kStartOfText || id == kEndOfText) {
      text += token;
      continue;
    }
    const bool wordEnd = token.ends_with("</w>");
    if (wordEnd)
      token.resize(token.size() - 4);
    for (char32_t symbol : decodeUtf8(token))
      text.push_back(static_cast<char>(kByteOf.at(symbol)));
    if (wordEnd)
      text += ' ';
  }
  return text;
}

std::vector<int32_t>
ClipTokenizer::encodeForTextEncoder(const std::string &text) const {
  std::vector<int32_t> ids = encode(text);
  ids.resize(std::min<size_t>(ids.size(), kContextLength - 2));
  ids.insert(ids.begin(), kStartOfText);
  ids.resize(kContextLength, kEndOfText);
  return ids;
}

} // namespace avila
