# frozen_string_literal: true

require "erb"

# What the demo's two apps agree on (in real life: the same ENV on both deploys), and their page.
module DemoShared
  SECRET_KEY_BASE = ENV.fetch("SECRET_KEY_BASE") { "demo-only-#{'0123456789abcdef' * 8}" }
  COOKIE = "_myapp_session"
  EMAIL = "demo@myapp.test"
  PASSWORD = "railsess-demo"
  # The Rails version www runs and its load_defaults (bin/demo --rails): 6.1, Debian 12's, or 8.1.
  RAILS = ENV.fetch("DEMO_RAILS", "6.1")
  # Rails' cache_format_version under those defaults (load_defaults 7.1 moved it to 7.1).
  CACHE_FORMAT = Gem::Version.new(RAILS) >= Gem::Version.new("7.1") ? 7.1 : 6.1

  module_function

  # The other app's URL on this host's domain (ports from the environment bin/demo sets).
  def url(app, request)
    port = ENV.fetch(app == :api ? "DEMO_API_PORT" : "DEMO_WWW_PORT")
    "#{request.scheme}://#{app}.myapp.test:#{port}/"
  end

  def page(app:, user:, flash:, body:)
    messages = flash.map { |kind, text| %(<p class="flash #{kind}" id="flash-#{kind}">#{ERB::Util.h(text)}</p>) }
    <<~HTML
      <!DOCTYPE html>
      <html><head><meta charset="utf-8"><title>#{ERB::Util.h(app)}</title>
      <style>body{font-family:sans-serif;max-width:44em;margin:2em auto}.flash{background:#eef;padding:.5em}
      code{word-break:break-all}</style></head>
      <body><h1>#{ERB::Util.h(app)}</h1>
      #{messages.join}
      <p id="current-user">#{user ? "Signed in as <b>#{ERB::Util.h(user)}</b>" : 'Not signed in'}</p>
      #{body}
      </body></html>
    HTML
  end
end
