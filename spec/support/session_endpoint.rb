# frozen_string_literal: true

require "json"

# The app behind the session stores in the store specs: a JSON endpoint per path.
module SessionEndpoint
  ACTIONS = {
    "/set" => ->(env, session) { JSON.parse(env["rack.input"].read).each { |k, v| session[k] = v } },
    "/cart" => ->(_env, session) { (session["cart"] ||= []) << 1 },
    "/reset" => ->(_env, session) { session.destroy },
    "/renew" => ->(env, _session) { env["rack.session.options"][:renew] = true },
    "/flash" => ->(env, _session) { Railsess::Flash.for(env)[:notice] = "saved" },
    "/show_flash" => ->(env, _session) { Railsess::Flash.for(env).to_hash },
    "/remember" => ->(env, _session) { Railsess::CookieJar.for(env).permanent.signed[:remember] = [[1], "t", "1.0"] },
    "/remembered" => ->(env, _session) { Railsess::CookieJar.for(env).signed[:remember] },
    "/big" => ->(_env, session) { session["big"] = "x" * 5000 }
  }.freeze
  SHOWN = %w[/show_flash /remembered].freeze

  # Runs the path's action, then shows its result (SHOWN) or the session.
  def self.call(env)
    session = env["rack.session"]
    result = ACTIONS.fetch(env["PATH_INFO"], ->(*) {}).call(env, session)
    shown = SHOWN.include?(env["PATH_INFO"]) ? result : session.to_hash
    [200, { "content-type" => "application/json" }, [JSON.generate(shown)]]
  end
end
