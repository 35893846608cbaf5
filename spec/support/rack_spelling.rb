# frozen_string_literal: true

require "rack"

# How the loaded Rack and ActionDispatch spell what they write, for specs whose expectations come
# from lines recorded on Rack 2.2 / Rails 6.1 or name the spelling outright.
module RackSpelling
  module_function

  def rack2? = Rack.release.start_with?("2.")

  # Rack 2.2 writes `Secure; HttpOnly; SameSite=Lax`; Rack 3 writes attribute names and the
  # SameSite value in lower case (`secure; httponly; samesite=lax`). Other attributes are the same.
  def cookie_attributes(text)
    return text if rack2?

    text.gsub(/; (Secure|HttpOnly|SameSite=\w+|Partitioned)(?=;|\z)/) { "; #{Regexp.last_match(1).downcase}" }
  end

  # The response header Rack wants: `Set-Cookie` on Rack 2, `set-cookie` on Rack 3.
  def set_cookie_header = rack2? ? "Set-Cookie" : "set-cookie"

  # The domain ActionDispatch writes for `domain: :all` on a host under `domain`: with a leading dot
  # before 7.1, without one since.
  def rails_all_domain(domain)
    require "action_pack/version"
    ActionPack.gem_version < Gem::Version.new("7.1") ? ".#{domain}" : domain
  end
end
