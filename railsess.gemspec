# frozen_string_literal: true

require_relative "lib/railsess/version"

Gem::Specification.new do |spec|
  spec.name = "railsess"
  spec.version = Railsess::VERSION
  spec.authors = ["railsess authors"]
  spec.summary = "Rails' MessageEncryptor, MessageVerifier and KeyGenerator, byte for byte, with a Rust core"
  spec.description = <<~DESC.tr("\n", " ").strip
    A drop-in replacement for ActiveSupport::MessageEncryptor, ActiveSupport::MessageVerifier and
    ActiveSupport::KeyGenerator whose cryptography (AES-256-GCM, AES-256-CBC + HMAC, PBKDF2, the
    Rails metadata envelope) runs in Rust. It reads and writes the same bytes as Rails 6.1 to 8.1,
    so encrypted and signed cookies and sessions stay compatible in both directions.
  DESC
  spec.homepage = "https://github.com/railsess/railsess"
  spec.license = "MIT"
  native_rubies = ENV.fetch("RAILSESS_NATIVE_RUBIES", "").split
  spec.required_ruby_version = if native_rubies.empty?
                                 ">= 3.1"
                               else
                                 versions = native_rubies.map { |abi| Gem::Version.new(abi) }.sort
                                 major, minor = versions.last.segments
                                 [">= #{versions.first}", "< #{major}.#{minor + 1}.dev"]
                               end
  spec.metadata = {
    "homepage_uri" => spec.homepage,
    "source_code_uri" => spec.homepage,
    "rubygems_mfa_required" => "true"
  }

  spec.files = Dir[
    "lib/**/*.rb", "exe/*", "ext/**/*.{rs,rb}", "ext/**/Cargo.toml",
    "Cargo.toml", "Cargo.lock", "README.md", "LICENSE", "docs/**/*"
  ].select { |f| File.file?(f) }.sort
  spec.bindir = "exe"
  spec.executables = Dir["exe/*"].select { |f| File.file?(f) }.map { |f| File.basename(f) }
  spec.require_paths = ["lib"]
  # extconf.rb writes a Makefile that runs `cargo build --locked --release`: needs Rust >= 1.87
  # and libclang (rb-sys generates Ruby's bindings with bindgen) at install time.
  # The precompiled gem (script/native-gem): RAILSESS_NATIVE_RUBIES="3.1 3.3" packs the extensions
  # built for those Rubies (lib/railsess/<major.minor>/railsess.so, which lib/railsess/native.rb
  # loads) for x86_64-linux; nothing is compiled at install time, and other Rubies get the source gem.
  if native_rubies.empty?
    spec.extensions = ["ext/railsess/extconf.rb"]
  else
    libraries = native_rubies.map { |abi| "lib/railsess/#{abi}/railsess.so" }
    missing = libraries.reject { |f| File.file?(f) }
    raise "railsess.gemspec: no #{missing.join(', ')} (build them first: script/native-gem)" unless missing.empty?

    spec.platform = "x86_64-linux"
    spec.files += libraries
  end
end
