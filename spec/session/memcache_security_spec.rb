# frozen_string_literal: true

require "railsess/session/memcache_store"

# The Redis stores' session security fixes (SECURITY.md "Redis sessions"), for railsess' Memcached
# stores (the Rack middleware and the Rails store, both layouts) against a real memcached: ids
# validated before any command, nothing deleted because it did not decode, no write-back of a
# session signed out mid-request (memcached's replace), 1 s timeouts and the circuit breaker; and
# the sign-out race side by side with Rails' own CacheStore over MemCacheStore.
RSpec.describe "Memcached session stores against an attacker", :memcached, kind: :integration do
  let(:events) { [] }
  let(:errors) { StringIO.new }
  let(:memcache) { { servers: MemcachedServer.address } }

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

  # memcached commands that read or delete a key (a new session's set names a fresh id).
  def lookups
    stats = MemcachedServer.stats
    %w[cmd_get delete_hits delete_misses cmd_touch].sum { |name| stats.fetch(name).to_i }
  end

  def sid(id) = Rack::Session::SessionId.new(id)

  variants = RedisStoreApps::KINDS.product(%i[cache_store mem_cache_store])
  variants.each do |kind, layout|
    context "#{kind} store, #{layout} layout", *(kind == :rails ? [:active_support] : []) do
      let(:prefix) { layout == :cache_store ? "_session_id:" : "rack:session:" }
      let(:store_options) { {} }
      let(:apps) do
        MemcacheStoreApps.new(kind, layout: layout, memcache: memcache, memcache_down_backoff: 0.3,
                                    on_memcache_down: ->(error, _env, _sid) { events << [:down, error.class] },
                                    on_session_load_error: ->(error, _sid) { events << [:load_error, error.class] },
                                    **store_options)
      end
      let(:layout_object) { apps.store.layout }

      def key_of(id) = layout_object.write_key(sid(id))
      # Every key a session id names (private and public).
      def keys_of(id) = layout_object.delete_keys(sid(id))

      it "keeps the session where Rails' store of this layout does" do
        id = sign_in
        expected = if layout == :cache_store
                     "_session_id:#{RedisStoreApps.private_id(id)}"
                   elsif Gem::Version.new(Dalli::VERSION) >= Gem::Version.new("3.1")
                     "rack:session:#{RedisStoreApps.private_id(id)}"
                   else
                     "rack:session:#{id}" # Dalli 3.0's Rack::Session::Dalli: the public id
                   end
        expect(MemcachedServer.keys).to eq([expected])
        expect(MemcachedServer.raw_get(expected).first & 1).to eq(1) # Dalli's "serialized" flag
      end

      it "sends no memcached command for a cookie that is not a session id, and deletes nothing on sign-out" do
        victim = sign_in("victim")
        MemcachedServer.raw_set("#{prefix}cache:feature_flags", Marshal.dump("user" => "x"), flags: 1)
        MemcachedServer.raw_set("#{prefix}lock:billing", "1")
        cookies = ["cache:feature_flags", RedisStoreApps.private_id(victim), "", "lock:billing", "Z" * 32,
                   "#{'a' * 32}\n"]
        before = lookups
        cookies.each { |cookie| expect(call("/", cookie: CGI.escape(cookie)).first).to eq({}) }
        expect(lookups).to eq(before)
        cookies.each { |cookie| expect(call("/sign_out", cookie: CGI.escape(cookie)).first).to eq({}) }
        expect(MemcachedServer.raw_get("#{prefix}cache:feature_flags")).to eq([1, Marshal.dump("user" => "x")])
        expect(MemcachedServer.raw_get("#{prefix}lock:billing")).to eq([0, "1"])
        expect(call("/", cookie: victim).first).to eq("user" => "victim")
      end

      it "leaves a value it cannot decode in memcached, reports it and logs it without the session id" do
        id = SecureRandom.hex(16)
        garbage = "\x04\x08not a session".b # Marshal's signature, then nothing Marshal can load
        MemcachedServer.raw_set(key_of(id), garbage, flags: 1)
        session, new_id = call("/cart", cookie: id)
        expect(session).to eq("cart" => [1])
        expect(new_id).not_to eq(id)
        expect(MemcachedServer.raw_get(key_of(id))).to eq([1, garbage])
        expect(events.map(&:first)).to eq([:load_error])
        expect(errors.string).to include("could not be decoded").and(include("left in Memcached"))
        expect(errors.string).not_to include(id)
      end

      it "takes a value Dalli cannot decompress for an undecodable one or a miss, not for memcached down" do
        id = SecureRandom.hex(16)
        MemcachedServer.raw_set(key_of(id), "not deflate", flags: 3) # serialized | compressed
        session, new_id = call("/cart", cookie: id)
        expect(session).to eq("cart" => [1])
        expect(new_id).not_to eq(id)
        # Dalli 3.0 (Debian 12) drops such a value from get_multi (a miss); 3.2 (Debian 13) raises
        # Dalli::UnmarshalError for it.
        silent = Gem::Version.new(Dalli::VERSION) < Gem::Version.new("3.2")
        expect(events).to eq(silent ? [] : [[:load_error, Dalli::UnmarshalError]])
        expect(MemcachedServer.raw_get(key_of(id))).to eq([3, "not deflate"])
        expect(errors.string).not_to include("unreachable")
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
          expect(MemcachedServer.keys & keys_of(id)).to be_empty
          expect(call("/", cookie: id).first).to eq({})
          expect(errors.string).to include("failed to save session")
        end
      end

      if layout == :cache_store
        it "does not write back a session read from its public-id key after a sign-out in flight" do
          id = SecureRandom.hex(16)
          MemcachedServer.raw_set("_session_id:#{id}", layout_object.encode({ "user" => "old" }, nil), flags: 1)
          @in_flight = -> { call("/sign_out", cookie: id) }
          expect(call("/in_flight", cookie: id).first).to include("user" => "old")
          expect(MemcachedServer.keys & keys_of(id)).to be_empty
        end
      end

      it "gives the session cookie the app's SameSite policy" do
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

  context "with Rails' own CacheStore over MemCacheStore (the November 2026 fix, CVE-2026-126076)", :active_support do
    let(:apps) { MemcacheStoreApps.rails_cache_store(expire_after: 3600) }

    it "refuses the same in-flight write-back railsess refuses" do
      apps
      unless ActionDispatch::Session::CacheStore.private_method_defined?(:destroyed_since_loaded?)
        skip "this ActionDispatch predates the fix (Debian's 6.1.7.10+deb12u4 has it)"
      end
      id = sign_in
      @in_flight = -> { call("/sign_out", cookie: id) }
      expect(call("/in_flight", cookie: id).first).to include("user" => "ann")
      expect(MemcachedServer.keys & ["myapp:_session_id:#{id}", "myapp:_session_id:#{RedisStoreApps.private_id(id)}"])
        .to be_empty
      expect(call("/", cookie: id).first).to eq({})
    end
  end

  describe "a memcached that stops answering (SIGSTOP) or is gone, with nothing but servers configured" do
    RedisStoreApps::KINDS.each do |kind|
      context "#{kind} store", *(kind == :rails ? [:active_support] : []) do
        let(:apps) do
          MemcacheStoreApps.new(kind, memcache: memcache, memcache_down_backoff: 2.0,
                                      on_memcache_down: ->(error, _env, _sid) { events << [:down, error.class] })
        end

        def timed
          started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
          result = yield
          [result, Process.clock_gettime(Process::CLOCK_MONOTONIC) - started]
        end

        it "costs one request Dalli's 1 s timeout, skips memcached during the back-off, then reads again" do
          id = sign_in
          MemcachedServer.pause!
          begin
            (session,), first = timed { call("/", cookie: id) }
            expect(session).to eq({})
            expect(first).to be_between(0.5, 2.5)
            (sessions, rest) = timed { Array.new(5) { call("/cart", cookie: id) } }
            expect(sessions).to all(eq([{ "cart" => [1] }, nil]))
            expect(rest).to be < 0.9 # one request that tried memcached would take its 1 s timeout
            expect(events.map(&:last)).to include(Railsess::Session::MemcacheUnavailable)
            expect(errors.string).to include("Memcached unreachable")
          ensure
            MemcachedServer.resume!
          end
          sleep 2.2 # the back-off (Dalli's down_retry_delay, 1 s by default here, is over too)
          expect(call("/", cookie: id).first).to eq("user" => "ann")
          expect(errors.string).to include("Memcached reachable again")
        end

        it "serves an empty session (no 500) while memcached is gone, and the next one once it is back" do
          sign_in
          MemcachedServer.stop!
          begin
            session, new_id, response = apps.call("/cart", env: { "rack.errors" => errors })
            expect(response.status).to eq(200)
            expect([session, new_id]).to eq([{ "cart" => [1] }, nil])
            expect(events.first).to eq([:down, Dalli::RingError]).or(eq([:down, Dalli::NetworkError]))
          ensure
            MemcachedServer.start
          end
          sleep 2.2 # the back-off
          expect(call("/set", json: { "user" => "bob" }).last).not_to be_nil
        end
      end
    end
  end
end
