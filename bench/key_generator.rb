# frozen_string_literal: true

# Railsess::KeyGenerator / CachingKeyGenerator vs ActiveSupport's.
#
#   ruby -Ilib bench/key_generator.rb
#   RAILSESS_BENCH_SMOKE=1 ruby -Ilib bench/key_generator.rb
#
# * cold SHA1: one PBKDF2 derivation at Rails' default 2**16 iterations, KeyGenerator's default digest
#   (SHA1 with ActiveSupport 6.1), 32 bytes (2 SHA1 blocks, so 2 * 65536 HMACs per call).
# * cold SHA256: ActiveSupport 6.1's KeyGenerator is SHA1-only (7.0+ takes hash_digest_class), so
#   the baseline is the call ActiveSupport 7.0 makes: OpenSSL::PKCS5.pbkdf2_hmac(..., SHA256.new).
# * cached: CachingKeyGenerator#generate_key for a key already derived (what every cookie jar
#   access does in a Rails app).

require_relative "support"

module KeyGeneratorBench
  ITERATIONS = 2**16
  SALT = "authenticated encrypted cookie"
  SIZE = 32
  SECRET = RailsessBench::SECRET_KEY_BASE

  module_function

  def cold_sha1
    as_gen = ActiveSupport::KeyGenerator.new(SECRET, iterations: ITERATIONS)
    rs_gen = Railsess::KeyGenerator.new(SECRET, iterations: ITERATIONS)
    RailsessBench.assert_same!("SHA1 keys", as_gen.generate_key(SALT, SIZE), rs_gen.generate_key(SALT, SIZE))
    RailsessBench.compare("cold generate_key SHA1 2**16 iterations") do |x|
      x.report("activesupport KeyGenerator#generate_key") { as_gen.generate_key(SALT, SIZE) }
      x.report("railsess KeyGenerator#generate_key") { rs_gen.generate_key(SALT, SIZE) }
    end
  end

  def cold_sha256
    sha256 = OpenSSL::Digest::SHA256
    rs_gen = Railsess::KeyGenerator.new(SECRET, iterations: ITERATIONS, hash_digest_class: sha256)
    openssl = -> { OpenSSL::PKCS5.pbkdf2_hmac(SECRET, SALT, ITERATIONS, SIZE, sha256.new) }
    RailsessBench.assert_same!("SHA256 keys", openssl.call, rs_gen.generate_key(SALT, SIZE))
    RailsessBench.compare("cold generate_key SHA256 2**16 iterations") do |x|
      x.report("openssl PKCS5.pbkdf2_hmac SHA256") { openssl.call }
      x.report("railsess KeyGenerator#generate_key SHA256") { rs_gen.generate_key(SALT, SIZE) }
    end
  end

  def cached
    as_cache = ActiveSupport::CachingKeyGenerator.new(ActiveSupport::KeyGenerator.new(SECRET, iterations: ITERATIONS))
    rs_cache = Railsess::CachingKeyGenerator.new(Railsess::KeyGenerator.new(SECRET, iterations: ITERATIONS))
    RailsessBench.assert_same!("cached keys", as_cache.generate_key(SALT, SIZE), rs_cache.generate_key(SALT, SIZE))
    RailsessBench.compare("cached generate_key (CachingKeyGenerator hit)") do |x|
      x.report("activesupport CachingKeyGenerator#generate_key") { as_cache.generate_key(SALT, SIZE) }
      x.report("railsess CachingKeyGenerator#generate_key") { rs_cache.generate_key(SALT, SIZE) }
    end
  end

  def run
    cold_sha1
    cold_sha256
    cached
    RailsessBench.finish("key_generator", "iterations" => ITERATIONS, "key_size" => SIZE)
  end
end

KeyGeneratorBench.run if File.expand_path($PROGRAM_NAME) == File.expand_path(__FILE__)
