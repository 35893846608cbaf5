# frozen_string_literal: true

desc "Build the native extension into lib/railsess/ (cargo, release profile)"
task :compile do
  Dir.chdir("ext/railsess") do
    ruby "extconf.rb"
    sh "make"
  end
end
