# frozen_string_literal: true

# The demo's "api" app: Sinatra, no Rails, sharing www's login through railsess. The whole setup
# is the `use` lines in config.ru; this file is an ordinary Sinatra app reading env["rack.session"]
# plus railsess' Warden, Flash and CSRF helpers. Users are read from www's SQLite database, and the
# Devise salt is checked as Devise does.
require "sinatra/base"
require "sqlite3"
require "railsess"
require_relative "../shared"

# The Rack app.
class DemoApi < Sinatra::Base
  set :protection, false # rack-protection's session CSRF is not Rails'; Railsess::CSRF::Protection runs
  set :show_exceptions, false

  DB_PATH = ENV.fetch("DEMO_DB", File.expand_path("../../tmp/demo.sqlite3", __dir__))

  helpers do
    def warden = Railsess::Warden.new(env, scope: :user)
    def flash = Railsess::Flash.for(env)
    def h(text) = ERB::Util.h(text)

    # Devise's check: the record whose id the session names, if its salt (the first 29
    # characters of the bcrypt hash) still matches, i.e. the password did not change since.
    def current_user
      id, salt = warden.user_key
      return nil unless id && salt.is_a?(String)

      db = SQLite3::Database.new(DB_PATH, readonly: true)
      email, hash = db.get_first_row("SELECT email, encrypted_password FROM users WHERE id = ?", Integer(id))
      email if hash && Rack::Utils.secure_compare(hash[0, 29], salt)
    rescue ArgumentError, TypeError
      nil
    ensure
      db&.close
    end

    def form(action, button, id, token: nil)
      token ||= Railsess::CSRF.token_for(env, path: action, method: "post")
      %(<form method="post" action="#{h action}" id="#{id}">
        <input type="hidden" name="authenticity_token" value="#{h token}">
        <button id="#{id}-button">#{h button}</button></form>)
    end
  end

  get "/" do
    user = current_user
    body = if user
             form("/notes", "Post a note (CSRF token made by the api)", "note-form") +
               %(<form method="post" action="/notes" id="rails-token-form">
                 <input type="text" name="authenticity_token" id="rails-token-input"
                        placeholder="a token from a Rails page">
                 <button id="rails-token-button">Post with a Rails token</button></form>) +
               form("/sign_out", "Sign out (on the api)", "sign-out-form") +
               %(<p><a id="to-www" href="#{DemoShared.url(:www, request)}">Back to www</a></p>)
           else
             %(<p><a id="to-www" href="#{DemoShared.url(:www, request)}users/sign_in">Sign in on www</a></p>)
           end
    DemoShared.page(app: "api (Sinatra #{Sinatra::VERSION} + railsess)", user: user, flash: flash.to_hash,
                    body: body)
  end

  post "/notes" do
    halt 403, "sign in first" unless current_user
    flash[:notice] = "Note saved by the api (set on api, shown on www)"
    redirect DemoShared.url(:www, request)
  end

  post "/sign_out" do
    warden.sign_out
    redirect DemoShared.url(:www, request)
  end
end
