# frozen_string_literal: true

require "railsess/session/redis_store"

# The session security fixes (SECURITY.md "Redis sessions"), against a real redis-server, for both
# of railsess' Redis stores (the Rack middleware and the Rails store) in both layouts, and the
# sign-out race side by side with Rails' own (patched) CacheStore.
RSpec.describe "Redis session stores against an attacker", :redis, kind: :integration do
  let(:redis) { RedisServer.client }
  let(:events) { [] }
  let(:errors) { StringIO.new }

  def stats(*commands)
    info = redis.info("commandstats")
    commands.sum { |name| info.fetch(name, {}).fetch("calls", 0).to_i }
  end

  # Commands that read or delete a key named by the cookie (a new session's SET names a fresh id).
  def lookups = stats("get", "mget", "exists", "del")

  def call(path, cookie: nil, json: nil)
    env = { "rack.errors" => errors }
    env[RedisStoreApps::IN_FLIGHT] = @in_flight if path == "/in_flight"
    apps.call(path, cookie: cookie, json: json, env: env).take(2)
  end

  def sign_in(user = "ann")
    _, id = call("/set", json: { "user" => user })
    expect(id).not_to be_nil
    id
  end

  def private_id(id) = RedisStoreApps.private_id(id)

  variants = RedisStoreApps::KINDS.product(%i[redis_session_store cache_store])
  variants.each do |kind, layout|
    context "#{kind} store, #{layout} layout", *(kind == :rails ? [:active_support] : []) do
      let(:prefix) { layout == :cache_store ? "_session_id:" : "" }
      let(:store_options) { {} }
      let(:apps) do
        RedisStoreApps.new(kind, layout: layout, redis: { url: RedisServer.url }, redis_down_backoff: 0.3,
                                 on_redis_down: ->(error, _env, _sid) { events << [:down, error.class] },
                                 on_session_load_error: ->(error, _sid) { events << [:load_error, error.class] },
                                 **store_options)
      end

      it "sends no Redis command for a cookie that is not a session id, and deletes nothing on sign-out" do
        victim = sign_in("victim")
        redis.set("#{prefix}cache:feature_flags", Marshal.dump("user" => "x"))
        redis.set("#{prefix}lock:billing", "1")
        cookies = ["cache:feature_flags", private_id(victim), "", "lock:billing", "Z" * 32, "#{'a' * 32}\n"]
        before = lookups
        cookies.each { |cookie| expect(call("/", cookie: CGI.escape(cookie)).first).to eq({}) }
        expect(lookups).to eq(before)
        # A sign-out starts from a fresh id (Rack and Rails load a new session to destroy it).
        cookies.each { |cookie| expect(call("/sign_out", cookie: CGI.escape(cookie)).first).to eq({}) }
        expect(redis.get("#{prefix}cache:feature_flags")).to eq(Marshal.dump("user" => "x"))
        expect(redis.get("#{prefix}lock:billing")).to eq("1")
        expect(call("/", cookie: victim).first).to eq("user" => "victim")
      end

      it "leaves a value it cannot decode in Redis, reports it and logs it without the session id" do
        id = SecureRandom.hex(16)
        key = "#{prefix}#{private_id(id)}"
        garbage = "\x04\x08not a session".b # Marshal's signature, then nothing Marshal can load
        redis.set(key, garbage)
        session, new_id = call("/cart", cookie: id)
        expect(session).to eq("cart" => [1])
        expect(new_id).not_to eq(id)
        expect(redis.get(key).b).to eq(garbage)
        expect(events.map(&:first)).to eq([:load_error])
        expect(errors.string).to include("could not be decoded").and(include(key))
        expect(errors.string).not_to include(id)
      end

      [nil, 3600].each do |expire_after|
        it "never writes back a session signed out while a request was in flight (expire_after: #{expire_after})" do
          store_options[:expire_after] = expire_after
          id = sign_in
          signed_out = nil
          @in_flight = -> { signed_out = call("/sign_out", cookie: id) }
          session, = call("/in_flight", cookie: id)
          expect(session).to include("user" => "ann", "seen" => 1)
          expect(signed_out.first).to eq({})
          expect(redis.exists?("#{prefix}#{private_id(id)}", "#{prefix}#{id}")).to be(false)
          expect(call("/", cookie: id).first).to eq({})
          expect(errors.string).to include("failed to save session")
        end
      end

      it "does not write back a session read from its public-id key after a sign-out in flight" do
        id = SecureRandom.hex(16)
        encoded = if layout == :cache_store
                    Railsess::Session::CacheEntry.dump({ "user" => "old" }, expires_in: nil, format: 6.1)
                  else
                    Marshal.dump("user" => "old")
                  end
        redis.set("#{prefix}#{id}", encoded)
        @in_flight = -> { call("/sign_out", cookie: id) }
        expect(call("/in_flight", cookie: id).first).to include("user" => "old")
        expect(redis.exists?("#{prefix}#{id}", "#{prefix}#{private_id(id)}")).to be(false)
      end

      it "gives the session cookie the app's SameSite policy (CVE-2026-126067, on every Rails version)" do
        response = apps.call("/set", json: { "user" => "ann" })[2]
        expect(Array(response.headers["set-cookie"]).join).to match(/samesite=lax/i)
      end

      it "still writes back a session nobody signed out, and a renewed one under its new id" do
        id = sign_in
        expect(call("/cart", cookie: id).first).to eq("user" => "ann", "cart" => [1])
        expect(call("/cart", cookie: id).first).to eq("user" => "ann", "cart" => [1, 1])
        _, fresh = call("/renew", cookie: id)
        expect(fresh).not_to be_nil
        expect(fresh).not_to eq(id)
        expect(call("/", cookie: fresh).first).to eq("user" => "ann", "cart" => [1, 1])
        expect(call("/", cookie: id).first).to eq({})
      end
    end
  end

  context "with Rails' own CacheStore (the November 2026 fix, CVE-2026-126076)", :active_support do
    let(:apps) { RedisStoreApps.rails_cache_store(expire_after: 3600) }
    let(:prefix) { "myapp:_session_id:" }

    it "refuses the same in-flight write-back railsess refuses" do
      apps
      unless ActionDispatch::Session::CacheStore.private_method_defined?(:destroyed_since_loaded?)
        skip "this ActionDispatch predates the fix (Debian's 6.1.7.10+deb12u4 has it)"
      end
      id = sign_in
      @in_flight = -> { call("/sign_out", cookie: id) }
      expect(call("/in_flight", cookie: id).first).to include("user" => "ann")
      expect(redis.exists?("#{prefix}#{id}", "#{prefix}#{private_id(id)}")).to be(false)
      expect(call("/", cookie: id).first).to eq({})
    end
  end

  describe "a Redis that stops answering (SIGSTOP), with nothing but a url configured" do
    RedisStoreApps::KINDS.each do |kind|
      context "#{kind} store", *(kind == :rails ? [:active_support] : []) do
        let(:apps) do
          RedisStoreApps.new(kind, redis: { url: RedisServer.url }, redis_down_backoff: 2,
                                   on_redis_down: ->(error, _env, _sid) { events << [:down, error.class] })
        end

        def timed
          started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
          result = yield
          [result, Process.clock_gettime(Process::CLOCK_MONOTONIC) - started]
        end

        it "costs one request Rails' 1 s timeout, skips Redis during the back-off, then reads again" do
          id = sign_in
          RedisServer.pause!
          begin
            (session,), first = timed { call("/", cookie: id) }
            expect(session).to eq({})
            expect(first).to be_between(0.5, 2.5)
            (sessions, rest) = timed { Array.new(5) { call("/cart", cookie: id) } }
            expect(sessions.map { |s, new_id| [s, new_id] }).to all(eq([{ "cart" => [1] }, nil]))
            expect(rest).to be < 0.9 # one request that tried Redis would take its 1 s timeout
            expect(events.map(&:last)).to include(Railsess::Session::RedisUnavailable)
            expect(errors.string).to include("Redis unreachable")
          ensure
            RedisServer.resume!
          end
          sleep 2.1 # the back-off
          expect(call("/", cookie: id).first).to eq("user" => "ann")
          expect(errors.string).to include("Redis reachable again")
        end
      end
    end
  end
end
