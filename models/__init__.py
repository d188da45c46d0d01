from . import live_chat_channel
from . import live_chat_channel_rule
from . import res_users
from . import website
from . import res_config_settings
from . import discuss_channel
