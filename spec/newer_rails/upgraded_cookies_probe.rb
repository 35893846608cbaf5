# frozen_string_literal: true

# Upgraded cookies under `session_options[:skip]` (CVE-2026-126077), driven through a cookie
# middleware: which Set-Cookie headers a response carries after a request read cookies that the
# jar rewrites (a rotated secret, a Marshal cookie under :hybrid). Used in-process by
# spec/rails/upgraded_cookies_spec.rb (Railsess::CookieJar beside Debian's patched
# ActionDispatch 6.1) and run as a script in a fresh Ruby for ActionDispatch's own jars, with a
# Rails tree on RUBYLIB:
#
#   ruby -Ilib spec/newer_rails/upgraded_cookies_probe.rb install|plain
#
# prints JSON: { "action_pack" => version, "backport" => bool, "outcomes" => UpgradedCookiesProbe.outcomes }.
require "json"
require "rack"
require "rack/mock"

module UpgradedCookiesProbe
  SIGNED = "remember_user_token"
  ENCRYPTED = "prefs"
  VALUES = { SIGNED => [[1], "token", "1700000000.0"], ENCRYPTED => { "theme" => "dark" } }.freeze
  OLD_SECRET = ("0ld5ecret" * 16).freeze
  SECRET = ("fedcba9876543210" * 8).freeze
  SALTS = {
    "action_dispatch.signed_cookie_salt" => "signed cookie",
    "action_dispatch.encrypted_cookie_salt" => "encrypted cookie",
    "action_dispatch.encrypted_signed_cookie_salt" => "signed encrypted cookie",
    "action_dispatch.authenticated_encrypted_cookie_salt" => "authenticated encrypted cookie"
  }.freeze

  # What a request does with the jar (Rails' or Railsess::CookieJar: the same API).
  SCENARIOS = {
    "read" => ->(jar) { [jar.signed[SIGNED], jar.encrypted[ENCRYPTED]] },
    "read through permanent" => ->(jar) { [jar.permanent.signed[SIGNED], jar.permanent.encrypted[ENCRYPTED]] },
    "read, then set" => lambda do |jar|
      read = [jar.signed[SIGNED], jar.encrypted[ENCRYPTED]]
      jar.signed[SIGNED] = { value: VALUES[SIGNED] }
      jar.encrypted[ENCRYPTED] = { value: VALUES[ENCRYPTED] }
      read
    end,
    "read, then delete" => lambda do |jar|
      read = [jar.signed[SIGNED], jar.encrypted[ENCRYPTED]]
      jar.delete(SIGNED)
      jar.delete(ENCRYPTED)
      read
    end
  }.freeze
  # When the app sets `request.session_options[:skip]`: not at all, before or after the read.
  SKIP = %w[none before after].freeze

  module_function

  # {"<setup> / <scenario> / skip <when>" => [values read, Set-Cookie outcome]} for a jar kind:
  # :rails (ActionDispatch::Cookies and the request's cookie_jar) or :railsess (Railsess::Cookies).
  def outcomes(kind)
    setups.each_with_object({}) do |(setup, (writer, reader)), all|
      cookie = cookie_header(written(writer))
      SCENARIOS.each do |name, scenario|
        SKIP.each do |skip|
          all["#{setup} / #{name} / skip #{skip}"] = run(kind, reader, cookie, scenario, skip)
        end
      end
    end
  end

  # [settings written with, settings read with]
  def setups
    {
      "rotated secret" => [{ secret: OLD_SECRET }, { secret: SECRET, rotate_from: OLD_SECRET }],
      "Marshal under :hybrid" => [{ secret: SECRET, serializer: :marshal }, { secret: SECRET, serializer: :hybrid }]
    }
  end

  def run(kind, settings, cookie, scenario, skip)
    read = nil
    inner = lambda do |env|
      jar = jar_for(kind, env, settings)
      env[Rack::RACK_SESSION_OPTIONS] = { skip: true } if skip == "before"
      read = scenario.call(jar)
      env[Rack::RACK_SESSION_OPTIONS] = { skip: true } if skip == "after"
      [200, { "Content-Type" => "text/plain" }, []]
    end
    _, headers, = middleware(kind, inner, settings).call(Rack::MockRequest.env_for("http://www.myapp.test/",
                                                                                   "HTTP_COOKIE" => cookie))
    [read, cookies_sent(headers)]
  end

  def jar_for(kind, env, settings)
    return Railsess::CookieJar.for(env) if kind == :railsess

    env.merge!(rails_env(settings))
    ActionDispatch::Request.new(env).cookie_jar
  end

  def middleware(kind, inner, settings)
    return ActionDispatch::Cookies.new(inner) unless kind == :railsess

    config = Railsess::CookieConfig.new(preset: "6.1", secret_key_base: settings[:secret],
                                        cookies_serializer: settings.fetch(:serializer, :json),
                                        cookies_rotations: rotations(settings[:rotate_from]))
    Railsess::Cookies.new(inner, config: config)
  end

  # The cookies Rails writes with `settings` (the old format to be upgraded).
  def written(settings)
    inner = lambda do |env|
      jar = jar_for(:rails, env, settings)
      VALUES.each { |name, value| (name == SIGNED ? jar.signed : jar.encrypted)[name] = { value: value } }
      [200, {}, []]
    end
    _, headers, = ActionDispatch::Cookies.new(inner).call(Rack::MockRequest.env_for("http://www.myapp.test/"))
    cookie_lines(headers)
  end

  # Rails::Application#env_config's cookie settings (load_defaults 6.1, SHA1 key derivation).
  def rails_env(settings)
    generator = ActiveSupport::KeyGenerator.new(settings[:secret], iterations: 1000,
                                                                   hash_digest_class: OpenSSL::Digest::SHA1)
    SALTS.merge(
      "action_dispatch.key_generator" => ActiveSupport::CachingKeyGenerator.new(generator),
      "action_dispatch.secret_key_base" => settings[:secret],
      "action_dispatch.use_authenticated_cookie_encryption" => true,
      "action_dispatch.use_cookies_with_metadata" => true,
      "action_dispatch.cookies_serializer" => settings.fetch(:serializer, :json),
      "action_dispatch.cookies_rotations" => rotations(settings[:rotate_from])
    )
  end

  def rotations(old_secret)
    config = ActiveSupport::Messages::RotationConfiguration.new
    return config unless old_secret

    old = ActiveSupport::KeyGenerator.new(old_secret, iterations: 1000, hash_digest_class: OpenSSL::Digest::SHA1)
    config.rotate(:signed, old.generate_key("signed cookie"))
    config.rotate(:encrypted, old.generate_key("authenticated encrypted cookie", 32))
    config
  end

  def cookie_lines(headers)
    value = headers.find { |name, _| name.casecmp?("set-cookie") }&.last
    Array(value).flat_map { |v| v.split("\n") }
  end

  def cookie_header(lines) = lines.map { |line| line.split(";", 2).first }.join("; ")

  # "name" for each cookie set, "name=deleted" for each deleted, sorted.
  def cookies_sent(headers)
    cookie_lines(headers).map do |line|
      name, value = line.split(";", 2).first.split("=", 2)
      value.to_s.empty? ? "#{name}=deleted" : name
    end.sort
  end
end

if $PROGRAM_NAME == __FILE__
  require "set"
  require "openssl"
  require "active_support"
  require "active_support/core_ext/integer/time"
  require "active_support/core_ext/numeric/time"
  require "railsess"
  require "action_dispatch"
  require "action_dispatch/middleware/cookies"
  require "active_support/key_generator"
  require "active_support/messages/rotation_configuration"
  Railsess.install! if ARGV.first == "install"
  puts JSON.generate(
    "action_pack" => ActionPack.version.to_s,
    "backport" => ActionDispatch::Cookies::CookieJar.ancestors.map(&:name).include?(
      "Railsess::RailsIntegration::UpgradedCookies::Jar"
    ),
    "outcomes" => UpgradedCookiesProbe.outcomes(:rails)
  )
end
