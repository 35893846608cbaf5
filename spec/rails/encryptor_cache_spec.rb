# frozen_string_literal: true

require "railsess/rails/encryptor_cache"

# The Railtie's cache of jar encryptors (RailsIntegration::EncryptorCache) and what it is keyed by
# (KeyGeneratorIdentity); spec/rails_app/encryptor_cache_spec.rb drives it through a Rails app.
RSpec.describe Railsess::RailsIntegration::EncryptorCache, kind: :unit do
  it "keeps at most max_size entries, dropping the least recently used" do
    cache = described_class.new(3)
    built = []
    fetch = ->(key) { cache.fetch(key) { (built << key) && "codec #{key}" } }
    %w[a b c].each(&fetch)
    expect(fetch.call("a")).to eq("codec a") # a is now the most recently used
    fetch.call("d") # drops b
    expect(cache.size).to eq(3)
    %w[a c d].each(&fetch)
    expect(built).to eq(%w[a b c d])
    fetch.call("b")
    expect(built.last).to eq("b")
    expect(cache.size).to eq(3)
  end

  it "hands every concurrent request the one entry it keeps (a racing build is dropped)" do
    cache = described_class.new
    values = Array.new(8) do
      Thread.new { Array.new(100) { cache.fetch(:k) { Thread.pass.then { Object.new } } } }
    end.flat_map(&:value)
    expect(values.uniq).to eq([cache.fetch(:k) { raise "kept" }])
    expect(cache.size).to eq(1)
  end

  it "never lists its entries in inspect" do
    cache = described_class.new
    cache.fetch(%w[key s3cr3t]) { Object.new }
    expect(cache.inspect).to eq("#<#{described_class.name} 1/128>")
  end
end

RSpec.describe Railsess::RailsIntegration::KeyGeneratorIdentity, kind: :unit do
  let(:secret) { ("0123456789abcdef" * 8).freeze }

  def railsess_generator(secret, **options)
    Railsess::CachingKeyGenerator.new(Railsess::KeyGenerator.new(secret, iterations: 1000, **options))
  end

  it "is equal for equal settings and different for a different secret, iteration count or digest" do
    identity = described_class.of(railsess_generator(secret))
    expect(described_class.of(railsess_generator(secret.dup))).to eq(identity)
    expect(described_class.of(Railsess::KeyGenerator.new(secret, iterations: 1000))).to eq(identity)
    expect(described_class.of(railsess_generator("x#{secret}"))).not_to eq(identity)
    expect(described_class.of(Railsess::KeyGenerator.new(secret, iterations: 2000))).not_to eq(identity)
    expect(described_class.of(railsess_generator(secret, hash_digest_class: OpenSSL::Digest::SHA256)))
      .not_to eq(identity)
  end

  it "is a digest, never the secret" do
    identity = described_class.of(railsess_generator(secret))
    expect(identity.bytesize).to eq(32)
    expect(identity.inspect).not_to include(secret[0, 16])
    expect(identity).not_to include(secret[0, 16])
  end

  it "tells another generator class only from itself (it may derive differently)" do
    subclass = Class.new(Railsess::KeyGenerator)
    generator = subclass.new(secret, iterations: 1000)
    expect(described_class.of(generator)).to eq(described_class.of(generator))
    expect(described_class.of(subclass.new(secret, iterations: 1000))).not_to eq(described_class.of(generator))
  end

  it "reads ActiveSupport's KeyGenerator and CachingKeyGenerator by value", :active_support do
    as_generator = lambda do
      ActiveSupport::CachingKeyGenerator.new(ActiveSupport::KeyGenerator.new(secret, iterations: 1000))
    end
    expect(described_class.of(as_generator.call)).to eq(described_class.of(as_generator.call))
    expect(described_class.of(as_generator.call)).not_to eq(described_class.of(railsess_generator(secret)))
  end
end
