# frozen_string_literal: true

require "rack/test"
require "railsess/session/redis_store"

# Server-side sessions shared through a real redis-server: Rails 6.1's own
# ActionDispatch::Session::CacheStore over ActiveSupport::Cache::RedisCacheStore on www, and
# Railsess::Session::RedisStore (layout: :cache_store) in a Sinatra app on api; then a Rails app
# using railsess' store (config.session_store :railsess_redis_store) in the redis-session-store layout.
RSpec.describe "Rails and a Rack app sharing a Redis session", :active_support, :redis, kind: :integration do
  include Rack::Test::Methods

  let(:www) { "http://www.myapp.test" }
  let(:api) { "http://api.myapp.test" }
  let(:redis) { RedisServer.client }

  def json = JSON.parse(last_response.body)

  def post_json(url, hash)
    post url, JSON.generate(hash), "CONTENT_TYPE" => "application/json"
    expect(last_response.status).to eq(200), last_response.body[0, 300]
  end

  def session_on(host)
    get "#{host}/session"
    json
  end

  def router(rails, rack)
    ->(env) { env["HTTP_HOST"].to_s.start_with?("api.") ? rack.call(env) : rails.call(env) }
  end

  def cookie_id = rack_mock_session.cookie_jar["_myapp_session"]
  def private_key(prefix, id) = "#{prefix}2::#{Digest::SHA256.hexdigest(id)}"

  shared_examples "a shared Redis session" do
    it "shares the session both ways under one id" do
      post_json "#{www}/session", { "from_rails" => "www" }
      expect(session_on(api)).to eq("from_rails" => "www")
      post_json "#{api}/session", { "from_rack" => { "deep" => [1, 2] } }
      expect(session_on(www)).to eq("from_rails" => "www", "from_rack" => { "deep" => [1, 2] })
      expect(redis.keys("*").grep(/2::/).length).to eq(1)
    end

    it "shares a large (compressed) session" do
      big = { "blob" => "railsess " * 400 }
      post_json "#{www}/session", big
      expect(session_on(api)).to eq(big)
      post_json "#{api}/session", { "blob" => "rack " * 500 }
      expect(session_on(www)["blob"]).to eq("rack " * 500)
    end

    it "shares sign-in, flash and CSRF tokens, and a sign-out on the Rack side signs Rails out" do
      post_json "#{www}/sign_in", { "id" => 3, "salt" => "pepper", "scope" => "user" }
      get "#{api}/current_user"
      expect(json["user_key"]).to eq([3, "pepper"])
      get "#{www}/flash/set", key: "notice", value: "hello"
      get "#{api}/flash"
      expect(json).to eq("notice" => "hello")
      token = JSON.parse(get("#{www}/csrf").body)["global"]
      post "#{api}/protected", authenticity_token: token
      expect(last_response.status).to eq(200)
      post "#{api}/sign_out", authenticity_token: JSON.parse(get("#{api}/csrf").body)["global"]
      expect(last_response.status).to eq(200)
      get "#{www}/current_user"
      expect(json["key"]).to be_nil
    end
  end

  # The cache formats the loaded ActiveSupport writes (6.1: only its own; 7.0 and 7.1 add theirs;
  # 7.2 removed format 6.1: Cache.format_version = 6.1 raises "Unrecognized" there).
  as_version = Gem::Version.new(defined?(ActiveSupport::VERSION) ? ActiveSupport::VERSION::STRING : "0")
  formats = []
  formats << 6.1 if as_version < Gem::Version.new("7.2")
  formats << 7.0 if as_version >= Gem::Version.new("7.0")
  formats << 7.1 if as_version >= Gem::Version.new("7.1")

  formats.each do |format|
    context "with Rails' CacheStore over RedisCacheStore (cache_format_version #{format})" do
      let(:app) do
        ActiveSupport::Cache.format_version = format if ActiveSupport::Cache.respond_to?(:format_version=)
        cache = ActiveSupport::Cache::RedisCacheStore.new(url: RedisServer.url, namespace: "myapp")
        rails = RailsStack.app(session_store: :cache_store, cache: cache, domain: :all, expire_after: 3600)
        rack = SinatraSide.app(store: Railsess::Session::RedisStore, preset: "6.1", key: "_myapp_session",
                               domain: :all, expire_after: 3600, layout: :cache_store, cache_format_version: format,
                               redis: { url: RedisServer.url, namespace: "myapp" }, csrf: { preset: "6.1" })
        router(rails, rack)
      end

      before(:all) { require "active_support/cache/redis_cache_store" }

      include_examples "a shared Redis session"

      it "writes the cache entry and TTL Rails writes" do
        post_json "#{api}/session", { "user" => "ann" }
        key = private_key("myapp:_session_id:", cookie_id)
        expect(redis.pttl(key)).to be_between(3_590_000, 3_600_000)
        ours = redis.get(key)
        post_json "#{www}/session", { "user" => "ann" }
        expect(redis.pttl(key)).to be_between(3_590_000, 3_600_000)
        rails = redis.get(key)
        # The same encoding (Marshal'ed Entry, or the 7.0 / 7.1 marks), holding the same session.
        expect(ours.byteslice(0, 2)).to eq(rails.byteslice(0, 2))
        expect(Railsess::Session::CacheEntry.load(ours)).to eq(Railsess::Session::CacheEntry.load(rails))
      end
    end
  end

  context "with railsess' store as the Rails app's session store (redis-session-store layout, JSON)" do
    let(:redis_options) { { url: RedisServer.url, key_prefix: "myapp:session:", expire_after: 3600 } }
    let(:app) do
      RailsStack.load!
      Railsess::Session.define_rails_redis_store # what the Railtie does once ActionDispatch is loaded
      rails = RailsStack.app(session_store: ActionDispatch::Session::RailsessRedisStore, domain: :all,
                             store_options: { redis: redis_options, serializer: :json })
      rack = SinatraSide.app(store: Railsess::Session::RedisStore, preset: "6.1", key: "_myapp_session",
                             domain: :all, serializer: :json, redis: redis_options, csrf: { preset: "6.1" })
      router(rails, rack)
    end

    include_examples "a shared Redis session"

    it "stores the gem's JSON under the private id with the TTL" do
      post_json "#{www}/session", { "user" => "ann" }
      key = private_key("myapp:session:", cookie_id)
      expect(JSON.parse(redis.get(key))).to eq("user" => "ann")
      expect(redis.ttl(key)).to be_between(3590, 3600)
    end
  end
end
