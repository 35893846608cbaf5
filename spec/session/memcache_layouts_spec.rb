# frozen_string_literal: true

require "railsess/session/memcache_store"

# Keys, values and TTLs of MemcacheLayouts, against the code that computes them in Rails
# (ActiveSupport::Cache::MemCacheStore#normalize_key) and Dalli (KeyManager), and DalliAdapter's
# client checks and commands against a real memcached.
RSpec.describe Railsess::Session::MemcacheLayouts, kind: :unit do
  let(:sid) { Rack::Session::SessionId.new("0123456789abcdef0123456789abcdef") }
  let(:private_id) { sid.private_id }
  let(:long_namespace) { "tenant #{'x' * 200}%" }

  describe Railsess::Session::MemcacheLayouts::CacheStore do
    it "keys sessions as ActionDispatch::Session::CacheStore does, private id first, public id as fallback" do
      layout = described_class.new(namespace: "myapp")
      expect(layout.read_keys(sid)).to eq(["myapp:_session_id:#{private_id}", "myapp:_session_id:#{sid.public_id}"])
      expect(layout.write_key(sid)).to eq("myapp:_session_id:#{private_id}")
      expect(described_class.new.write_key(sid)).to eq("_session_id:#{private_id}")
    end

    it "escapes and shortens keys as Rails 6.1 (213 + ':md5:' + SHA1) and 7.0+ (212 + ':hash:' + SHA256) do" do
      old = described_class.new(namespace: long_namespace, rails_level: Railsess::Compat.level("6.1")).write_key(sid)
      new = described_class.new(namespace: long_namespace, rails_level: Railsess::Compat.level("7.2")).write_key(sid)
      escaped = "tenant%20#{'x' * 200}%25:_session_id:#{private_id}"
      expect(old).to eq("#{escaped[0, 213]}:md5:#{OpenSSL::Digest::SHA1.hexdigest(escaped)[0, 32]}")
      expect(new).to eq("#{escaped[0, 212]}:hash:#{OpenSSL::Digest::SHA256.hexdigest(escaped)[0, 32]}")
      expect([old, new].map(&:bytesize)).to eq([250, 250])
    end

    it "computes the key ActiveSupport::Cache::MemCacheStore computes (the loaded Rails, its load_defaults digest)",
       :active_support, :memcached do
      require "active_support/cache/mem_cache_store"
      require "active_support/digest"
      level = Railsess::Compat.level_of(ActiveSupport::VERSION::STRING)
      digest = level.rails_61? ? OpenSSL::Digest::SHA1 : OpenSSL::Digest::SHA256
      previous = ActiveSupport::Digest.hash_digest_class
      ActiveSupport::Digest.hash_digest_class = digest
      begin
        [nil, "myapp", "my app", long_namespace].each do |namespace|
          cache = ActiveSupport::Cache::MemCacheStore.new(MemcachedServer.address, namespace: namespace)
          rails = cache.send(:normalize_key, "_session_id:#{private_id}", cache.options)
          ours = described_class.new(namespace: namespace, rails_level: level).write_key(sid)
          expect(ours).to eq(rails)
        end
      ensure
        ActiveSupport::Digest.hash_digest_class = previous
      end
    end

    it "sets memcached's TTL as MemCacheStore does: expire_after in whole seconds, 0 for none" do
      layout = described_class.new
      expect(layout.expiry(expire_after: 3600)).to eq(ttl: 3600)
      expect(layout.expiry(expire_after: 90.9)).to eq(ttl: 90)
      expect(layout.expiry({})).to eq(ttl: 0)
    end

    { 6.1 => nil, 7.0 => "\x00\x04\x08".b, 7.1 => "\x00\x11\x01".b }.each do |format, mark|
      it "stores format #{format} as Rails' Dalli does, and reads all three" do
        layout = described_class.new(cache_format_version: format)
        stored = layout.encode({ "user" => "ann" }, 60)
        if mark.nil? # 6.1: the Entry itself, Marshal'ed by Dalli
          expect(stored).to start_with("\x04\bo: ActiveSupport::Cache::Entry".b)
        else # the coder's binary String, Marshal'ed by Dalli
          inner = Marshal.load(stored) # rubocop:disable Security/MarshalLoad
          expect(stored).to start_with("\x04\b\"".b)
          expect(inner).to start_with(mark)
          expect(Railsess::Session::CacheEntry.load(inner)).to eq("user" => "ann")
        end
        [6.1, 7.0, 7.1].each do |reader|
          expect(described_class.new(cache_format_version: reader).decode(stored)).to eq("user" => "ann")
        end
      end
    end

    it "reads an expired entry as no session" do
      stored = described_class.new(cache_format_version: 7.1).encode({ "user" => "ann" }, -1)
      expect(described_class.new.decode(stored)).to be_nil
    end
  end

  describe Railsess::Session::MemcacheLayouts::MemCacheStore do
    it "keys public ids before Dalli 3.1 (Rack::Session::Dalli on Persisted), private ids from 3.1 (PersistedSecure)" do
      expect(described_class.new(dalli_version: "3.0.6").read_keys(sid)).to eq(["rack:session:#{sid.public_id}"])
      expect(described_class.new(dalli_version: "3.2.8").read_keys(sid)).to eq(["rack:session:#{private_id}"])
      expect(described_class.new(dalli_version: "3.2.8").delete_keys(sid))
        .to contain_exactly("rack:session:#{private_id}", "rack:session:#{sid.public_id}")
    end

    it "keys as Dalli's KeyManager does, long keys and no namespace included" do
      require "dalli"
      [nil, "rack:session", long_namespace].each do |namespace|
        manager = Dalli::KeyManager.new(namespace ? { namespace: namespace } : {})
        layout = described_class.new(namespace: namespace, dalli_version: "3.2")
        expect(layout.write_key(sid)).to eq(manager.validate_key(private_id))
      end
      long = "k" * 300
      expect(described_class.new(namespace: nil).key(long)).to eq(Dalli::KeyManager.new({}).validate_key(long))
    end

    it "stores the session Marshal'ed and sets Rack::Session::Dalli's TTL: expire_after + 1, 0 for none" do
      layout = described_class.new
      expect(layout.encode({ "a" => 1 }, nil)).to eq(Marshal.dump("a" => 1))
      expect(layout.decode(Marshal.dump("a" => 1))).to eq("a" => 1)
      expect(layout.expiry(expire_after: 3600)).to eq(ttl: 3601)
      expect(layout.expiry(expire_after: nil)).to eq(ttl: 0)
      expect(layout.compress?).to be(true)
    end
  end

  describe Railsess::Session::DalliAdapter, :memcached do
    let(:client) { described_class.client(MemcachedServer.address) }
    let(:adapter) { described_class.new(client, compress: false) }

    it "refuses a client that would Marshal the layouts' bytes again, and takes one built by .client or a pool" do
      expect { described_class.new(MemcachedServer.client, compress: false) }
        .to raise_error(ArgumentError, /serializer: Railsess::Session::DalliAdapter::Passthrough/)
      require "connection_pool"
      pool = ConnectionPool.new(size: 2) { described_class.client(MemcachedServer.address) }
      expect(described_class.new(pool, compress: false).set("k", "v")).to be(true)
      expect(described_class.new(pool, compress: false).mget("k")).to eq(["v"])
    end

    it "answers the four commands RedisBackend sends as Redis would" do
      expect(adapter.set("a", "1", ttl: 60)).to be(true)
      expect(MemcachedServer.ttl("a")).to be_between(55, 60)
      expect(adapter.set("missing", "2", xx: true)).to be(false) # memcached's replace: SET XX
      expect(MemcachedServer.raw_get("missing")).to be_nil
      expect(adapter.set("a", "3", xx: true)).to be(true)
      expect(adapter.mget("zz", "a", "zz")).to eq([nil, "3", nil])
      expect(MemcachedServer.raw_get("a")).to eq([1, "3"]) # flagged as serialized, bytes as given
      expect([adapter.exists?("zz", "a"), adapter.exists?("zz")]).to eq([true, false])
      expect(adapter.del("a", "zz")).to eq(1)
      expect(MemcachedServer.keys).to be_empty
    end

    # A client whose get_multi raises for one bad value (Dalli 3.0 drops it instead) and whose
    # commands can fail with a protocol error.
    let(:stub_client) do
      Class.new do
        def initialize(values) = (@values = values)
        def with = yield(self)
        def instance_variable_get(_name) = { serializer: Railsess::Session::DalliAdapter::Passthrough }

        def get_multi(*keys)
          raise Dalli::UnmarshalError, "Unable to uncompress value" if keys.any? { |key| @values[key] == :corrupt }

          @values.slice(*keys)
        end

        def get(key)
          raise Dalli::UnmarshalError, "Unable to uncompress value" if @values[key] == :corrupt

          @values[key]
        end

        def set(*) = raise(Dalli::DalliError, "Response error 129: Too large")
      end
    end

    it "reads a value Dalli cannot unmarshal as an Unreadable the layouts raise, the others as they are" do
      adapter = described_class.new(stub_client.new("a" => "1", "bad" => :corrupt), compress: false)
      good, bad, missing = adapter.mget("a", "bad", "zz")
      expect([good, missing]).to eq(["1", nil])
      expect(bad).to be_a(described_class::Unreadable)
      expect { Railsess::Session::MemcacheLayouts::MemCacheStore.new.decode(bad) }.to raise_error(Dalli::UnmarshalError)
      expect(adapter.connection_errors).to include(Dalli::DalliError) # a protocol error: an empty session, no 500
      expect { adapter.set("a", "2") }.to raise_error(Dalli::DalliError)
    end

    it "compresses over 4 KiB only when asked (Rack::Session::Dalli), and does not write what memcached refuses" do
      big = "x" * 5000
      described_class.new(client, compress: true).set("big", big)
      adapter.set("plain", big)
      expect(MemcachedServer.raw_get("big").first).to eq(3)
      expect(MemcachedServer.raw_get("plain").first).to eq(1)
      expect(adapter.mget("big", "plain")).to eq([big, big])
      expect(adapter.set("huge", SecureRandom.random_bytes(2 * 1024 * 1024))).to be(false)
    end
  end
end
