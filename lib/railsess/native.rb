# frozen_string_literal: true

require "railsess/error"

# railsess (see lib/railsess.rb): the native core's Ruby side, and which implementation of it runs.
module Railsess
  # The compiled core. Its failures arrive as these classes and are translated by the Ruby
  # classes into whatever the loaded ActiveSupport raises; users never see them.
  module Native
    class FormatError < Railsess::Error; end
    class SignatureError < Railsess::Error; end
    # OpenSSL raises ArgumentError for a wrong IV/key size or empty data; so does the core.
    class CipherArgumentError < ArgumentError; end
    # Markers the core's JSON paths return: Ruby's own parser must decide (`json_parse`); the
    # metadata did not match, so Rails returns nil; the full Ruby path must run.
    JSON_FALLBACK = Object.new.freeze
    JSON_CONTENT = Object.new.freeze
    JSON_GENERAL = Object.new.freeze

    DIGESTS = %w[SHA1 SHA256 SHA384 SHA512].freeze
  end

  # The compiled extension built for this Ruby (lib/railsess/<major.minor>/railsess.so: a development
  # build, or a precompiled gem carrying one per Ruby), else lib/railsess/railsess.so (what
  # `gem install` builds), or the pure-Ruby port of it (lib/railsess/pure.rb, same behaviour, slower)
  # when the extension cannot be loaded (unsupported platform, JRuby, failed build; with a warning)
  # or RAILSESS_PURE=1 asks for it.
  def self.native_feature
    abi = "railsess/#{RUBY_VERSION[/\A\d+\.\d+/]}/railsess"
    found = begin
      $LOAD_PATH.resolve_feature_path(abi)
    rescue LoadError
      nil
    end
    found ? abi : "railsess/railsess"
  end
  private_class_method :native_feature

  @native = ["", "0"].include?(ENV.fetch("RAILSESS_PURE", "")) &&
            begin
              require native_feature
              true
            rescue LoadError => e
              warn "railsess: native extension unavailable (#{e.message}); using the pure-Ruby implementation"
              false
            end
  unless @native
    require "railsess/pure"
    Native::Pure.install
  end

  # Ruby's openssl gem 3.2+ encrypts and decrypts an empty String; older gems raise ArgumentError
  # ("data must not be empty"). ActiveSupport does whatever the loaded gem does; so does railsess.
  def self.openssl_encrypts_empty_data?
    require "openssl"
    cipher = OpenSSL::Cipher.new("aes-256-gcm").encrypt
    cipher.key = cipher.random_key
    cipher.random_iv
    cipher.update("")
    true
  rescue ArgumentError
    false
  end
  private_class_method :openssl_encrypts_empty_data?
  Native.empty_data = openssl_encrypts_empty_data?
end
