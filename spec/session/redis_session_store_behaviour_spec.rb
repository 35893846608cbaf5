# frozen_string_literal: true

require "railsess/session/redis_store"

# What the redis-session-store gem (0.11.6) does that a Rails app relying on it can observe, run
# against both of railsess' stores in its layout, with a real redis-server: the key layout,
# serializers, TTL, handlers, session_exists?, renew/destroy. The gem's own spec suite, run with
# `RedisSessionStore = ActionDispatch::Session::RailsessRedisStore`, checks the same behaviours
# through its private methods; these are our tests of them. What differs on purpose (ids
# validated before any Redis command; nothing deleted because a value did not decode) is
# spec'd in redis_security_spec.rb.
RSpec.describe "redis-session-store's behaviour", :redis, kind: :integration do
  let(:redis) { RedisServer.client }
  let(:options) { { redis: { url: RedisServer.url, key_prefix: "myapp:session:" } } }
  let(:apps) { RedisStoreApps.new(kind, **options) }
  let(:store) { apps.store }

  def private_id(id) = RedisStoreApps.private_id(id)
  def call(...) = apps.call(...)

  def sign_in(session = { "user" => "ann" })
    _, id = call("/set", json: session)
    expect(id).to match(/\A\h{32}\z/)
    id
  end

  def closed_port
    server = TCPServer.new("127.0.0.1", 0)
    server.addr[1].tap { server.close }
  end

  def session_exists?(public_id)
    sid = public_id && Rack::Session::SessionId.new(public_id)
    allow(store).to receive(:current_session_id).and_return(sid)
    store.send(:session_exists?, apps.request)
  end

  shared_examples "redis-session-store" do
    describe "key layout" do
      it "keeps the session under key_prefix + private id, Marshal'ed by default, the public id in the cookie" do
        id = sign_in
        expect(redis.keys("*")).to eq(["myapp:session:#{private_id(id)}"])
        expect(Marshal.load(redis.get("myapp:session:#{private_id(id)}"))).to eq("user" => "ann") # rubocop:disable Security/MarshalLoad
        expect(call("/", cookie: id).first).to eq("user" => "ann")
      end

      it "reads a session stored under the public id (before private ids) and writes it under the private id" do
        id = SecureRandom.hex(16)
        redis.set("myapp:session:#{id}", Marshal.dump("user" => "old"))
        expect(call("/cart", cookie: id).first).to eq("user" => "old", "cart" => [1])
        expect(Marshal.load(redis.get("myapp:session:#{private_id(id)}"))).to eq("user" => "old", "cart" => [1]) # rubocop:disable Security/MarshalLoad
      end

      it "takes a top-level key_prefix, and redis: { key_prefix: } over it" do
        options.replace(key_prefix: "top:", redis: { url: RedisServer.url })
        id = sign_in
        expect(redis.keys("*")).to eq(["top:#{private_id(id)}"])
        redis.flushall
        options.replace(key_prefix: "top:", redis: { url: RedisServer.url, key_prefix: "inner:" })
        id = RedisStoreApps.new(kind, **options).call("/set", json: { "a" => 1 })[1]
        expect(redis.keys("*")).to eq(["inner:#{private_id(id)}"])
      end
    end

    describe "serializers" do
      it ":json writes JSON.generate's bytes and reads them" do
        options[:serializer] = :json
        id = sign_in("user" => "ann", "n" => [1, 2.5, nil])
        expect(redis.get("myapp:session:#{private_id(id)}")).to eq(JSON.generate("user" => "ann", "n" => [1, 2.5, nil]))
        expect(call("/", cookie: id).first).to eq("user" => "ann", "n" => [1, 2.5, nil])
      end

      it ":hybrid reads a Marshal'ed session and writes it back as JSON" do
        options[:serializer] = :hybrid
        id = SecureRandom.hex(16)
        redis.set("myapp:session:#{private_id(id)}", Marshal.dump("user" => "old"))
        expect(call("/cart", cookie: id).first).to eq("user" => "old", "cart" => [1])
        expect(redis.get("myapp:session:#{private_id(id)}")).to eq('{"user":"old","cart":[1]}')
      end

      it "takes any object with load and dump" do
        options[:serializer] = Module.new do
          def self.dump(value) = "v1:#{JSON.generate(value)}"
          def self.load(value) = JSON.parse(value.delete_prefix("v1:"))
        end
        id = sign_in
        expect(redis.get("myapp:session:#{private_id(id)}")).to eq('v1:{"user":"ann"}')
        expect(call("/", cookie: id).first).to eq("user" => "ann")
      end
    end

    describe "TTL" do
      def ttl(id) = redis.ttl("myapp:session:#{private_id(id)}")

      it "uses redis: { expire_after: } for the key and the cookie" do
        options[:redis][:expire_after] = 600
        _, id, response = call("/set", json: { "user" => "ann" })
        expect(ttl(id)).to be_between(590, 600)
        expect(Array(response.headers["set-cookie"]).join).to match(/expires=/i)
      end

      it "uses ttl over expire_after for the key, in redis: or at the top level" do
        options[:redis].merge!(expire_after: 600, ttl: 60)
        expect(ttl(sign_in)).to be_between(50, 60)
        options[:redis].delete(:ttl)
        options[:ttl] = 30
        expect(ttl(RedisStoreApps.new(kind, **options).call("/set", json: { "a" => 1 })[1])).to be_between(20, 30)
      end

      it "keeps a session without expiry when none is given" do
        expect(ttl(sign_in)).to eq(-1)
      end
    end

    describe "handlers" do
      it "has public setters for on_redis_down and on_session_load_error, checked like the constructor's" do
        down = ->(*) {}
        store.on_redis_down = down
        store.on_session_load_error = down
        expect([store.on_redis_down, store.on_session_load_error]).to eq([down, down])
        expect { store.on_redis_down = "herpderp" }
          .to raise_error(ArgumentError, /on_redis_down handler is not callable/)
        %i[on_redis_down on_session_load_error].each do |name|
          expect { RedisStoreApps.new(kind, **options, name => "herpderp") }
            .to raise_error(ArgumentError, /#{name} handler is not callable/)
        end
      end

      it "calls on_redis_down with the error, the env and the id, and lets a handler re-raise" do
        options[:redis] = { url: "redis://127.0.0.1:#{closed_port}" }
        calls = []
        store.on_redis_down = ->(error, env, sid) { calls << [error, env, sid] }
        id = SecureRandom.hex(16)
        expect(call("/", cookie: id).first).to eq({})
        error, env, sid = calls.first
        expect(error).to be_a(Redis::BaseConnectionError)
        expect(env["PATH_INFO"]).to eq("/")
        expect(sid.public_id).to eq(id)
        store.on_redis_down = ->(e, *) { raise e }
        store.circuit.success! # the back-off would skip Redis (and raise RedisUnavailable instead)
        expect { call("/", cookie: id) }.to raise_error(Redis::BaseConnectionError)
      end

      it "calls on_session_load_error with the error and the id" do
        options[:serializer] = :json
        calls = []
        store.on_session_load_error = ->(error, sid) { calls << [error.class, sid.public_id] }
        id = SecureRandom.hex(16)
        redis.set("myapp:session:#{private_id(id)}", "{not json")
        expect(call("/", cookie: id).first).to eq({})
        expect(calls).to eq([[JSON::ParserError, id]])
      end
    end

    describe "session_exists?" do
      it "is false for no id, an empty id, and an id that looks private, without a Redis command" do
        fake = double("redis")
        allow(store).to receive(:redis).and_return(fake)
        expect(fake).not_to receive(:mget)
        expect(fake).not_to receive(:exists?)
        [nil, "", private_id(SecureRandom.hex(16))].each { |id| expect(session_exists?(id)).to be(false) }
      end

      it "asks Redis for the private id and the public id" do
        known = SecureRandom.hex(16)
        legacy = SecureRandom.hex(16)
        redis.set("myapp:session:#{private_id(known)}", Marshal.dump("a" => 1))
        redis.set("myapp:session:#{legacy}", Marshal.dump("a" => 2))
        expect(session_exists?(known)).to be(true)
        expect(session_exists?(legacy)).to be(true)
        expect(session_exists?(SecureRandom.hex(16))).to be(false)
      end

      it "is true when Redis is down (the gem's fallback)" do
        options[:redis] = { url: "redis://127.0.0.1:#{closed_port}" }
        expect(session_exists?(SecureRandom.hex(16))).to be(true)
      end

      it "creates nothing for a read-only request with an unknown or private-looking id" do
        [SecureRandom.hex(16), private_id(SecureRandom.hex(16))].each do |id|
          session, new_id = call("/", cookie: CGI.escape(id))
          expect([session, new_id]).to eq([{}, nil])
        end
        expect(redis.keys("*")).to be_empty
      end

      # The gem sends EXISTS, then GET; the existence check's read is kept for the load here.
      it "reads an existing session with one Redis command" do
        id = sign_in
        reads = lambda do
          redis.info("commandstats").values_at("get", "mget", "exists").sum { |stat| stat.to_h["calls"].to_i }
        end
        before = reads.call
        expect(call("/", cookie: id).first).to eq("user" => "ann")
        expect(reads.call - before).to eq(1)
      end
    end

    describe "renew and destroy" do
      it "renews: a new id, the session under it, both old keys gone" do
        id = sign_in
        redis.set("myapp:session:#{id}", Marshal.dump("legacy" => true))
        _, fresh = call("/renew", cookie: id)
        expect(fresh).not_to eq(id)
        expect(redis.exists?("myapp:session:#{private_id(id)}", "myapp:session:#{id}")).to be(false)
        expect(call("/", cookie: fresh).first).to eq("user" => "ann")
      end

      it "destroys: both keys of the id gone" do
        id = sign_in
        redis.set("myapp:session:#{id}", Marshal.dump("legacy" => true))
        expect(call("/sign_out", cookie: id).first).to eq({})
        expect(redis.exists?("myapp:session:#{private_id(id)}", "myapp:session:#{id}")).to be(false)
        expect(call("/", cookie: id).first).to eq({})
      end
    end
  end

  context "with Railsess::Session::RedisStore (Rack)" do
    let(:kind) { :rack }

    include_examples "redis-session-store"
  end

  context "with ActionDispatch::Session::RailsessRedisStore (Rails)", :active_support do
    let(:kind) { :rails }

    include_examples "redis-session-store"
  end
end
