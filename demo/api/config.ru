# frozen_string_literal: true

require_relative "app"

# The one preset line that matches the Rails app (config.load_defaults 6.1 or 8.1 as bin/demo says,
# JSON cookies), on the same domain. With DEMO_REDIS_URL: the session lives in Redis, in Rails'
# CacheStore layout (cache_format_version 6.1, or 7.1 under 8.1's defaults).
if (redis_url = ENV.fetch("DEMO_REDIS_URL", nil))
  use Railsess::Session::RedisStore, layout: :cache_store, preset: DemoShared::RAILS, key: DemoShared::COOKIE,
                                     domain: :all, expire_after: 86_400, cache_format_version: DemoShared::CACHE_FORMAT,
                                     redis: { url: redis_url, namespace: "myapp" },
                                     secret_key_base: DemoShared::SECRET_KEY_BASE
else
  use Railsess::Session::CookieStore, preset: DemoShared::RAILS, secret_key_base: DemoShared::SECRET_KEY_BASE,
                                      key: DemoShared::COOKIE, domain: :all
end
use Railsess::CSRF::Protection, preset: DemoShared::RAILS
run DemoApi
