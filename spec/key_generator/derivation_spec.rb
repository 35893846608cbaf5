# frozen_string_literal: true

RSpec.describe Railsess::KeyGenerator, kind: :unit do
  it "matches RFC 6070 (PBKDF2-HMAC-SHA1)" do
    generator = described_class.new("password", iterations: 4096, hash_digest_class: OpenSSL::Digest::SHA1)
    expect(generator.generate_key("salt", 20).unpack1("H*")).to eq("4b007901b765489abead49d926f721d065a429c1")
  end

  # The core releases the GVL for long derivations; the pure-Ruby port holds it in one OpenSSL call,
  # as ActiveSupport's KeyGenerator does.
  it "lets other Ruby threads run during a long derivation" do
    skip "the pure-Ruby port derives in one OpenSSL call, holding the GVL as ActiveSupport does" unless Railsess.native?

    clock = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
    ticks = []
    ticker = Thread.new do
      loop do
        ticks << clock.call
        20_000.times { nil } # a slice of Ruby work between ticks
      end
    end
    sleep 0.01 until ticks.size > 2 # on a busy machine the thread may not have run yet
    started = clock.call
    described_class.new("x" * 64, iterations: 2**18).generate_key("salt")
    finished = clock.call
    ticker.kill.join
    # Ticks strictly inside the derivation's middle: the other thread ran while it was computing.
    margin = (finished - started) / 5
    expect(ticks.count { |t| t > started + margin && t < finished - margin }).to be >= 2
  end

  it "hands arguments outside the native domain to OpenSSL, with OpenSSL's results and errors" do
    generator = described_class.new("secret", iterations: 10)
    openssl = ->(*args) { OpenSSL::PKCS5.pbkdf2_hmac("secret", *args) }
    expect(generator.generate_key("salt", 0)).to eq(openssl.call("salt", 10, 0, OpenSSL::Digest.new("SHA1")))
    md5 = described_class.new("secret", iterations: 10, hash_digest_class: OpenSSL::Digest::MD5)
    expect(md5.generate_key("salt", 16)).to eq(openssl.call("salt", 10, 16, OpenSSL::Digest.new("MD5")))
    expect { described_class.new("secret", iterations: 0).generate_key("salt") }
      .to raise_error(OpenSSL::KDF::KDFError)
    expect { described_class.new("secret", iterations: 10).generate_key(nil) }.to raise_error(TypeError)
  end

  it "validates the class-level digest like ActiveSupport 7.0+" do
    expect { described_class.hash_digest_class = String }.to raise_error(ArgumentError, /OpenSSL::Digest subclass/)
  end

  it "keeps secrets and derived keys out of inspect" do
    cached = Railsess::CachingKeyGenerator.new(described_class.new("topsecret" * 8, iterations: 1))
    key = cached.generate_key("salt", 32)
    expect(cached.inspect).not_to include("topsecret")
    expect(cached.inspect).not_to include(key.unpack1("H*"))
    expect(cached.inspect).not_to include(key.inspect[1..20])
  end

  it "derives each cached key once, even from many threads" do
    generator = described_class.new("s" * 64, iterations: 1000)
    calls = 0
    counting = Object.new
    counting.define_singleton_method(:generate_key) do |*args|
      calls += 1
      generator.generate_key(*args)
    end
    cached = Railsess::CachingKeyGenerator.new(counting)
    keys = Array.new(8) { Thread.new { cached.generate_key("salt", 32) } }.map(&:value)
    expect(keys.uniq.size).to eq(1)
    expect(calls).to eq(1)
  end
end
