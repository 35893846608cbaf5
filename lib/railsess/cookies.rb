# frozen_string_literal: true

require "railsess/cookie_jar"

module Railsess
  # Rack middleware giving a request `Railsess::CookieJar.for(env)` (without a session store):
  #   use Railsess::Cookies, preset: "7.1", secret_key_base: ENV["SECRET_KEY_BASE"]
  class Cookies
    def initialize(app, config: nil, **options)
      @app = app
      @config = config || CookieConfig.new(**options)
    end

    def call(env)
      env[CookieJar::CONFIG] ||= @config
      status, headers, body = @app.call(env)
      CookieJar.commit(env, headers)
      [status, headers, body]
    end
  end
end
