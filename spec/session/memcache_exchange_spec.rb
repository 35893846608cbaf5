# frozen_string_literal: true

require "rack/test"
require "railsess/session/memcache_store"

# Server-side sessions shared through a real memcached, a Rails stack on www and a Sinatra app
# behind Railsess::Session::MemcacheStore on api:
# - Rails' ActionDispatch::Session::CacheStore over ActiveSupport::Cache::MemCacheStore (each
#   cache_format_version the loaded ActiveSupport writes) ⇄ layout :cache_store;
# - Rails' own ActionDispatch::Session::MemCacheStore (Dalli's Rack::Session::Dalli) ⇄ layout
#   :mem_cache_store;
# - a Rails app on railsess' store (config.session_store :railsess_memcache_store).
# Each also checks that both sides store the same thing: flags, encoding, TTL.
RSpec.describe "Rails and a Rack app sharing a Memcached session", :active_support, :memcached, kind: :integration do
  include Rack::Test::Methods

  let(:www) { "http://www.myapp.test" }
  let(:api) { "http://api.myapp.test" }

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
  def private_id(id) = "2::#{Digest::SHA256.hexdigest(id)}"

  def rack_side(**options)
    SinatraSide.app(store: Railsess::Session::MemcacheStore, preset: "6.1", key: "_myapp_session",
                    csrf: { preset: "6.1" }, **{ domain: :all }.merge(options))
  end

  shared_examples "a shared Memcached session" do
    it "shares the session both ways under one id" do
      post_json "#{www}/session", { "from_rails" => "www" }
      expect(session_on(api)).to eq("from_rails" => "www")
      post_json "#{api}/session", { "from_rack" => { "deep" => [1, 2] } }
      expect(session_on(www)).to eq("from_rails" => "www", "from_rack" => { "deep" => [1, 2] })
      expect(MemcachedServer.keys).to eq([session_key])
    end

    it "shares a large (compressed) session both ways" do
      big = { "blob" => "railsess #{SecureRandom.hex(8)} " * 600 }
      post_json "#{www}/session", big
      expect(session_on(api)).to eq(big)
      post_json "#{api}/session", { "blob" => "rack " * 1200 }
      expect(session_on(www)["blob"]).to eq("rack " * 1200)
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

    it "stores what Rails stores: the same flags, encoding and TTL, small and large" do
      [{ "user" => "ann" }, { "user" => "ann", "blob" => "x#{SecureRandom.hex(4)}y " * 2000 }].each do |session|
        post_json "#{api}/session", session
        ours = MemcachedServer.raw_get(session_key)
        ours_ttl = MemcachedServer.ttl(session_key)
        post_json "#{www}/session", session
        rails = MemcachedServer.raw_get(session_key)
        expect(ours.first).to eq(rails.first) # Dalli's flags: serialized (| compressed)
        expect(ours.last.byteslice(0, 3)).to eq(rails.last.byteslice(0, 3))
        expect(decode(ours)).to eq(decode(rails)).and(include(session))
        # (memcached's clock may lag the wall clock by a second)
        expect([ours_ttl, MemcachedServer.ttl(session_key)]).to all(be_between(ttl - 5, ttl + 1))
      end
    end
  end

  # Dalli's stored value as a Marshal'ing Dalli client reads it (flags: 2 = compressed).
  def dalli_value((flags, bytes))
    bytes = Zlib::Inflate.inflate(bytes) if flags & 2 != 0
    (flags & 1).zero? ? bytes : Marshal.load(bytes) # rubocop:disable Security/MarshalLoad
  end

  as_version = defined?(ActiveSupport::VERSION) ? ActiveSupport::VERSION::STRING : "0"
  formats = []
  formats << 6.1 if as_version < "7.2" # 7.2 dropped it
  formats << 7.0 if as_version >= "7.0"
  formats << 7.1 if as_version >= "7.1"

  formats.each do |format|
    context "with Rails' CacheStore over MemCacheStore (cache_format_version #{format})" do
      let(:ttl) { 3600 }
      let(:session_key) { "myapp:_session_id:#{private_id(cookie_id)}" }
      let(:app) do
        ActiveSupport::Cache.format_version = format if ActiveSupport::Cache.respond_to?(:format_version=)
        cache = ActiveSupport::Cache::MemCacheStore.new(MemcachedServer.address, namespace: "myapp")
        rails = RailsStack.app(session_store: :cache_store, cache: cache, domain: :all, expire_after: ttl)
        rack = rack_side(expire_after: ttl, cache_format_version: format,
                         memcache: { servers: MemcachedServer.address, namespace: "myapp" })
        router(rails, rack)
      end

      before(:all) { require "active_support/cache/mem_cache_store" }

      # The session in the cache entry (6.1: an Entry; 7.x: the coder's String).
      def decode(stored)
        value = dalli_value(stored)
        value = Railsess::Session::CacheEntry.load(value) if value.is_a?(String)
        value.is_a?(Hash) ? value : value.value
      end

      include_examples "a shared Memcached session"

      it "reads what ActiveSupport's own MemCacheStore reads, under the key it normalizes to" do
        post_json "#{api}/session", { "user" => "ann" }
        cache = ActiveSupport::Cache::MemCacheStore.new(MemcachedServer.address, namespace: "myapp")
        expect(cache.read("_session_id:#{private_id(cookie_id)}")).to eq("user" => "ann")
      end
    end
  end

  context "with Rails' own ActionDispatch::Session::MemCacheStore (Dalli's Rack::Session::Dalli)" do
    let(:ttl) { 3601 } # Rack::Session::Dalli: expire_after + 1
    let(:session_key) do
      dalli31 = Gem::Version.new(Dalli::VERSION) >= Gem::Version.new("3.1")
      "rack:session:#{dalli31 ? private_id(cookie_id) : cookie_id}"
    end
    let(:app) do
      RailsStack.load! # Rails first (requiring this store alone half-loads ActionDispatch on 7.2)
      require "action_dispatch/middleware/session/mem_cache_store"
      # This store sets its cookie with Rack's code, not ActionDispatch's: `domain: :all` would be
      # written as "domain=all". The domain is given as a string on both sides.
      rails = RailsStack.app(session_store: ActionDispatch::Session::MemCacheStore, domain: ".myapp.test",
                             expire_after: 3600, store_options: { memcache_server: MemcachedServer.address })
      rack = rack_side(layout: :mem_cache_store, expire_after: 3600, domain: ".myapp.test",
                       memcache: { servers: MemcachedServer.address })
      router(rails, rack)
    end

    def decode(stored) = dalli_value(stored)

    include_examples "a shared Memcached session"

    it "is why the README says to give it a string domain: it writes `domain: :all` as \"domain=all\"" do
      app # loads Rails and its MemCacheStore
      rails = RailsStack.app(session_store: ActionDispatch::Session::MemCacheStore, domain: :all,
                             store_options: { memcache_server: MemcachedServer.address })
      response = Rack::MockRequest.new(rails).post("#{www}/session", input: '{"a":1}',
                                                                     "CONTENT_TYPE" => "application/json")
      expect(response.status).to eq(200), response.body[0, 300]
      expect(Array(response.headers["Set-Cookie"]).join).to match(/domain=all;/i)
    end
  end

  context "with railsess' store as the Rails app's session store (config.session_store :railsess_memcache_store)" do
    let(:ttl) { 3600 }
    let(:session_key) { "myapp:_session_id:#{private_id(cookie_id)}" }
    let(:app) do
      RailsStack.load!
      Railsess::Session.define_rails_memcache_store # what the Railtie does once ActionDispatch is loaded
      memcache = { servers: MemcachedServer.address, namespace: "myapp", expire_after: ttl }
      rails = RailsStack.app(session_store: ActionDispatch::Session::RailsessMemcacheStore, domain: :all,
                             store_options: { memcache: memcache, cache_format_version: 7.0 })
      router(rails, rack_side(memcache: memcache, cache_format_version: 7.0))
    end

    def decode(stored) = Railsess::Session::CacheEntry.load(dalli_value(stored))

    include_examples "a shared Memcached session"
  end
end
