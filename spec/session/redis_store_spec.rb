# frozen_string_literal: true

require "digest"
require "rack/test"
require "railsess/session/redis_store"

# Railsess::Session::RedisStore against a real redis-server (spec/support/redis_server.rb).
RSpec.describe Railsess::Session::RedisStore, :redis, kind: :integration do
  include Rack::Test::Methods

  let(:host) { "http://www.myapp.test" }
  let(:store_options) { { redis: { url: RedisServer.url, key_prefix: "myapp:session:" } } }
  let(:events) { [] }
  let(:app) do
    options = { key: "_myapp_session", domain: :all,
                on_redis_down: ->(error, _env, _sid) { events << [:down, error.class] },
                on_session_load_error: ->(error, _sid) { events << [:load_error, error.class] } }
    options = options.merge(store_options)
    Rack::Builder.new do
      use Railsess::Session::RedisStore, **options
      run SessionEndpoint
    end
  end
  let(:redis) { RedisServer.client }

  def session_json = JSON.parse(last_response.body)
  def set_cookie = last_response.headers["Set-Cookie"]
  def private_id(public_id) = "2::#{Digest::SHA256.hexdigest(public_id)}"

  def post_json(path, hash)
    post "#{host}#{path}", JSON.generate(hash), "CONTENT_TYPE" => "application/json"
  end

  describe "the redis-session-store layout" do
    it "keeps the session under key_prefix + private id, Marshal'ed, with the public id in the cookie" do
      post_json "/set", { "user" => "ann" }
      id = set_cookie[/_myapp_session=(\h{32});/, 1]
      expect(id).not_to be_nil
      expect(set_cookie).to include("domain=myapp.test") # preset 8.1 by default: no leading dot
      stored = redis.get("myapp:session:#{private_id(id)}")
      expect(Marshal.load(stored)).to eq("user" => "ann") # rubocop:disable Security/MarshalLoad
      get "#{host}/"
      expect(session_json["user"]).to eq("ann")
      expect(set_cookie).to be_nil # the same id: no new cookie
    end

    def sets = redis.info("commandstats").fetch("set", {}).fetch("calls", 0).to_i

    it "saves a session that was read only when it changed (Rails saves every loaded session)" do
      post_json "/set", { "user" => "ann" }
      before = sets
      get "#{host}/"
      expect(session_json["user"]).to eq("ann")
      expect(sets).to eq(before)
      get "#{host}/cart"
      expect(sets).to eq(before + 1)
    end

    it "saves every loaded session when expire_after has to roll the TTL" do
      store_options[:redis][:expire_after] = 600
      post_json "/set", { "user" => "ann" }
      before = sets
      get "#{host}/"
      expect(sets).to eq(before + 1)
    end

    it "sets the TTL from expire_after, and ttl wins over it" do
      store_options[:redis][:expire_after] = 600
      post_json "/set", { "user" => "ann" }
      id = set_cookie[/=(\h{32})/, 1]
      expect(redis.ttl("myapp:session:#{private_id(id)}")).to be_between(590, 600)
      expect(set_cookie).to match(/expires=/)
    end

    it "uses ttl for Redis when given (the cookie keeps expire_after)" do
      store_options[:redis].merge!(expire_after: 600, ttl: 60)
      post_json "/set", { "user" => "ann" }
      id = set_cookie[/=(\h{32})/, 1]
      expect(redis.ttl("myapp:session:#{private_id(id)}")).to be_between(50, 60)
    end

    { marshal: ->(h) { Marshal.dump(h) }, json: ->(h) { JSON.generate(h) }, hybrid: ->(h) { JSON.generate(h) } }
      .each do |serializer, encode|
      it "reads and writes the gem's #{serializer} bytes, including a session stored under the public id" do
        store_options[:serializer] = serializer
        public_id = SecureRandom.hex(16)
        redis.set("myapp:session:#{public_id}", encode.call("user" => "old"))
        get "#{host}/cart", {}, "HTTP_COOKIE" => "_myapp_session=#{public_id}"
        expect(session_json).to eq("user" => "old", "cart" => [1])
        expect(redis.get("myapp:session:#{private_id(public_id)}")).to eq(encode.call("user" => "old", "cart" => [1]))
      end
    end

    it "reads Marshal with :hybrid and rewrites it as JSON" do
      store_options[:serializer] = :hybrid
      public_id = SecureRandom.hex(16)
      redis.set("myapp:session:#{private_id(public_id)}", Marshal.dump("user" => "old"))
      get "#{host}/cart", {}, "HTTP_COOKIE" => "_myapp_session=#{public_id}"
      expect(JSON.parse(redis.get("myapp:session:#{private_id(public_id)}"))).to eq("user" => "old", "cart" => [1])
    end

    it "keeps a value it cannot decode (the gem deletes it), calls on_session_load_error, starts a new session" do
      store_options[:serializer] = :json
      public_id = SecureRandom.hex(16)
      key = "myapp:session:#{private_id(public_id)}"
      redis.set(key, "\x04\x08not json")
      get "#{host}/cart", {}, "HTTP_COOKIE" => "_myapp_session=#{public_id}"
      expect(last_response.status).to eq(200)
      expect(session_json).to eq("cart" => [1])
      expect(events).to eq([[:load_error, JSON::ParserError]])
      expect(redis.exists?(key)).to be(true)
      expect(set_cookie[/=(\h{32})/, 1]).not_to eq(public_id)
    end

    it "refuses a cookie that holds a private id" do
      stolen = private_id(SecureRandom.hex(16))
      redis.set("myapp:session:#{stolen}", Marshal.dump("user" => "victim"))
      get "#{host}/", {}, "HTTP_COOKIE" => "_myapp_session=#{CGI.escape(stolen)}"
      expect(session_json).to eq({})
    end

    it "does not create a session when an unknown id is only read" do
      get "#{host}/", {}, "HTTP_COOKIE" => "_myapp_session=#{SecureRandom.hex(16)}"
      expect(session_json).to eq({})
      expect(redis.keys("myapp:session:*")).to be_empty
    end

    it "gives a new id on renew and drops the old keys (session fixation)" do
      post_json "/set", { "user" => "ann" }
      old = set_cookie[/=(\h{32})/, 1]
      get "#{host}/renew"
      fresh = set_cookie[/=(\h{32})/, 1]
      expect(fresh).not_to eq(old)
      expect(redis.exists?("myapp:session:#{private_id(old)}")).to be(false)
      get "#{host}/"
      expect(session_json["user"]).to eq("ann")
    end
  end

  describe "faults" do
    before { post_json "/set", { "user" => "ann" } }

    it "treats Redis down as an empty session, calls on_redis_down, and keeps the browser's session id" do
      id = rack_mock_session.cookie_jar["_myapp_session"]
      RedisServer.stop!
      get "#{host}/cart"
      expect(last_response.status).to eq(200)
      expect(session_json).to eq("cart" => [1])
      expect(events.map(&:first)).to include(:down)
      expect(set_cookie).to be_nil # nothing saved: the browser keeps its id for when Redis is back
      expect(rack_mock_session.cookie_jar["_myapp_session"]).to eq(id)
    end

    it "treats a slow Redis (timeouts) as an empty session, then reads the session again" do
      store_options[:redis].merge!(read_timeout: 0.2, write_timeout: 0.2, connect_timeout: 0.2)
      post_json "/set", { "user" => "ann" }
      RedisServer.pause!
      begin
        started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
        get "#{host}/"
        expect(last_response.status).to eq(200)
        expect(session_json).to eq({})
        expect(Process.clock_gettime(Process::CLOCK_MONOTONIC) - started).to be < 3
        expect(events.map(&:first)).to include(:down)
      ensure
        RedisServer.resume!
      end
      get "#{host}/"
      expect(session_json["user"]).to eq("ann")
    end
  end
end
