# frozen_string_literal: true

require_relative "../support/compat_helpers"

# Railsess::KeyGenerator / CachingKeyGenerator against ActiveSupport 6.1's (PBKDF2-HMAC-SHA1).
RSpec.describe "KeyGenerator compatibility with ActiveSupport", :active_support, kind: :compat do
  include CompatHelpers

  secrets = {
    "secret_key_base" => "3f1d" * 32,
    "unicode secret" => "sécrèt 😀",
    "binary secret" => Random.new(7).bytes(64),
    "empty secret" => ""
  }
  salts = ["", "signed cookie", "authenticated encrypted cookie", "encrypted cookie", "ü€", "\x00\xFF\x80".b,
           "s" * 300]
  sizes = [1, 16, 20, 32, 64, 65, 128]

  secrets.each do |secret_label, secret|
    [1, 2, 1000].each do |iterations|
      it "derives the same bytes as ActiveSupport (#{secret_label}, #{iterations} iterations)" do
        as = ActiveSupport::KeyGenerator.new(secret, iterations: iterations)
        rs = Railsess::KeyGenerator.new(secret, iterations: iterations)
        problems = salts.product(sizes).filter_map do |salt, size|
          expected = as.generate_key(salt, size)
          actual = rs.generate_key(salt, size)
          next if actual == expected && actual.encoding == expected.encoding

          { salt: salt, size: size, active_support: [expected.unpack1("H*"), expected.encoding],
            railsess: [actual.unpack1("H*"), actual.encoding] }
        end
        expect(problems).to eq([])
      end
    end
  end

  it "defaults to 2**16 iterations and 64 bytes, like ActiveSupport" do
    as = ActiveSupport::KeyGenerator.new("secret_key_base")
    rs = Railsess::KeyGenerator.new("secret_key_base")
    expect(rs.generate_key("signed cookie")).to eq(as.generate_key("signed cookie"))
    expect(rs.generate_key("signed cookie").bytesize).to eq(64)
  end

  it "returns a fresh, unfrozen binary String, like ActiveSupport" do
    as_key = ActiveSupport::KeyGenerator.new("s", iterations: 3).generate_key("salt", 32)
    rs_key = Railsess::KeyGenerator.new("s", iterations: 3).generate_key("salt", 32)
    expect([rs_key.class, rs_key.encoding, rs_key.frozen?]).to eq([as_key.class, as_key.encoding, as_key.frozen?])
  end

  describe "hash_digest_class: OpenSSL::Digest::SHA256 (ignored by ActiveSupport 6.1, honoured by railsess)" do
    [[1, 32], [1000, 64], [1000, 32], [2, 100]].each do |iterations, size|
      it "equals OpenSSL::PKCS5.pbkdf2_hmac with SHA256 (#{iterations} iterations, #{size} bytes)" do
        secret = "3f1d" * 32
        rs = Railsess::KeyGenerator.new(secret, iterations: iterations, hash_digest_class: OpenSSL::Digest::SHA256)
        ["authenticated encrypted cookie", "signed cookie", ""].each do |salt|
          expected = OpenSSL::PKCS5.pbkdf2_hmac(secret, salt, iterations, size, OpenSSL::Digest.new("SHA256"))
          expect(rs.generate_key(salt, size)).to eq(expected)
        end
      end
    end

    it "keeps SHA1 (ActiveSupport's only digest) when given OpenSSL::Digest::SHA1" do
      rs = Railsess::KeyGenerator.new("k", iterations: 1000, hash_digest_class: OpenSSL::Digest::SHA1)
      expect(rs.generate_key("salt", 32))
        .to eq(ActiveSupport::KeyGenerator.new("k", iterations: 1000).generate_key("salt", 32))
    end

    it "handles the other SHA-2 digests like OpenSSL" do
      [OpenSSL::Digest::SHA384, OpenSSL::Digest::SHA512, OpenSSL::Digest::MD5].each do |digest|
        rs = Railsess::KeyGenerator.new("k", iterations: 10, hash_digest_class: digest)
        expect(rs.generate_key("salt", 48)).to eq(OpenSSL::PKCS5.pbkdf2_hmac("k", "salt", 10, 48, digest.new))
      end
    end
  end

  describe "CachingKeyGenerator" do
    def pair(secret = "secret_key_base", iterations: 1000)
      [ActiveSupport::CachingKeyGenerator.new(ActiveSupport::KeyGenerator.new(secret, iterations: iterations)),
       Railsess::CachingKeyGenerator.new(Railsess::KeyGenerator.new(secret, iterations: iterations))]
    end

    it "derives the same keys as ActiveSupport, for Rails' cookie salts and sizes" do
      as, rs = pair
      [["authenticated encrypted cookie", 32], ["encrypted cookie", 32], ["signed encrypted cookie", 64],
       ["signed cookie", 64], ["signed cookie"], ["active_storage"], ["ü", 7]].each do |args|
        expect(rs.generate_key(*args)).to eq(as.generate_key(*args)), "generate_key(#{args.inspect[1..-2]})"
      end
    end

    it "returns the very same cached String on later calls, like ActiveSupport" do
      as, rs = pair
      expect(as.generate_key("salt", 32)).to equal(as.generate_key("salt", 32))
      expect(rs.generate_key("salt", 32)).to equal(rs.generate_key("salt", 32))
    end

    it "shares cache entries between argument lists that join to the same key, like ActiveSupport" do
      # ActiveSupport caches by args.join("|"): ("a|32") and ("a", 32) collide, and the first wins.
      as, rs = pair
      expect(rs.generate_key("a|32")).to eq(as.generate_key("a|32"))
      expect(rs.generate_key("a", 32)).to eq(as.generate_key("a", 32))
      expect(rs.generate_key("a", 32).bytesize).to eq(as.generate_key("a", 32).bytesize)
      expect(rs.generate_key("b", 16)).to eq(as.generate_key("b", 16))
      expect(rs.generate_key("b|16")).to eq(as.generate_key("b|16"))
    end

    it "wraps either side's KeyGenerator" do
      as_inner = ActiveSupport::KeyGenerator.new("s", iterations: 100)
      rs_inner = Railsess::KeyGenerator.new("s", iterations: 100)
      expect(Railsess::CachingKeyGenerator.new(as_inner).generate_key("salt", 32))
        .to eq(ActiveSupport::CachingKeyGenerator.new(rs_inner).generate_key("salt", 32))
    end

    it "is safe to use from several threads at once" do
      as, rs = pair(iterations: 100)
      salts = Array.new(8) { |i| "salt #{i}" }
      results = Array.new(8) { Thread.new { salts.map { |salt| rs.generate_key(salt, 32) } } }.map(&:value)
      expected = salts.map { |salt| as.generate_key(salt, 32) }
      expect(results.uniq).to eq([expected])
    end
  end
end
