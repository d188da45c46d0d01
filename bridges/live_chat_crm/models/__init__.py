from . import crm_lead
from . import discuss_channel
from . import live_chat_channel
from . import live_chat_chatbot_step
