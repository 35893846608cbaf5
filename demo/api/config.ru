# frozen_string_literal: true

require_relative "app"

# The one preset line that matches the Rails app (config.load_defaults 6.1, JSON cookies), on the
# same domain. With DEMO_REDIS_URL: the session lives in Redis, in Rails' CacheStore layout.
if (redis_url = ENV.fetch("DEMO_REDIS_URL", nil))
  use Railsess::Session::RedisStore, layout: :cache_store, preset: "6.1", key: DemoShared::COOKIE, domain: :all,
                                     expire_after: 86_400, redis: { url: redis_url, namespace: "myapp" },
                                     secret_key_base: DemoShared::SECRET_KEY_BASE
else
  use Railsess::Session::CookieStore, preset: "6.1", secret_key_base: DemoShared::SECRET_KEY_BASE,
                                      key: DemoShared::COOKIE, domain: :all
end
use Railsess::CSRF::Protection, preset: "6.1"
run DemoApi
